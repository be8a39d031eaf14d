import type { EmbeddingList, EmbeddingRequest } from '@attest/contracts';
import type { Principal } from '@attest/identity';
import { InferenceError, InferenceRuntime } from '@attest/inference';
import { Injectable } from '@nestjs/common';
import { responseEvent, type RequestMeta } from '../core/audit-drafts';
import { Stopwatch } from '../core/stopwatch';
import { RequestGateService } from './request-gate.service';

/** `/v1/embeddings` through the same gate; the response event records usage, never the vectors. */
@Injectable()
export class GovernedEmbeddingService {
  constructor(
    private readonly gate: RequestGateService,
    private readonly runtime: InferenceRuntime,
  ) {}

  async embed(body: EmbeddingRequest, principal: Principal, meta: RequestMeta): Promise<EmbeddingList> {
    const stopwatch = new Stopwatch();
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const admitted = await this.gate.admit({ principal, meta, action: 'embedding', model: body.model, inputs });
    const base = { action: 'embedding', principal, meta, model: admitted.model, decision: admitted.decision, response: '', pii: {} };
    let result;
    stopwatch.startModel();
    try {
      result = await this.runtime.embed({ ...admitted.spec, embedding: true }, admitted.texts);
    } catch (error) {
      await this.gate.commit(
        responseEvent({
          ...base,
          outcome: 'failure',
          usage: { promptTokens: 0, completionTokens: 0 },
          latencyMs: stopwatch.totalMs(),
          errorCode: error instanceof InferenceError ? error.code : 'INTERNAL',
        }),
      );
      throw error;
    } finally {
      stopwatch.stopModel();
    }
    await this.gate.commit(
      responseEvent({ ...base, outcome: 'success', usage: { promptTokens: result.promptTokens, completionTokens: 0 }, latencyMs: stopwatch.totalMs() }),
    );
    this.gate.recordTokens(principal, admitted.decision, result.promptTokens);
    return {
      object: 'list',
      data: result.vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      })),
      model: body.model,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    };
  }
}
