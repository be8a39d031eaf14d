import { type ChatCompletionChunk, type FinishReason, type TextCompletion, usageOf } from '@attest/contracts';
import { Stopwatch } from '@attest/governance';
import { GovernedInferenceService, type GenerationOutcome, type GovernedGeneration } from '@attest/governance/nest';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from '../errors/error-response';
import { SseStream } from './sse-stream';

export type GenerationCall = Omit<GovernedGeneration, 'signal'>;

interface Framing {
  stream: boolean;
  includeUsage: boolean;
  /** The name the client asked for: OpenAI echoes it back in `model`. */
  model: string;
}

/**
 * Turns a governed generation into OpenAI's wire format, whole or streamed. The response audit event is committed
 * inside `generate` before it returns, so the final byte (JSON body or `[DONE]`) always follows the commit.
 */
@Injectable()
export class CompletionResponder {
  constructor(private readonly governed: GovernedInferenceService) {}

  async chat(call: GenerationCall, framing: Framing, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.respond(call, framing, request, reply, {
      whole: (outcome, id, created) => ({
        id,
        object: 'chat.completion',
        created,
        model: framing.model,
        system_fingerprint: outcome.model.versionId,
        choices: [{ index: 0, message: { role: 'assistant', content: outcome.text, refusal: null }, logprobs: null, finish_reason: finishReasonOf(outcome) }],
        usage: usageOf(outcome.usage.promptTokens, outcome.usage.completionTokens),
      }),
      chunk: (id, created, text, first): ChatCompletionChunk => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: framing.model,
        system_fingerprint: null,
        choices: [{ index: 0, delta: first ? { role: 'assistant', content: text } : { content: text }, logprobs: null, finish_reason: null }],
        ...(framing.includeUsage ? { usage: null } : {}),
      }),
      last: (outcome, id, created): ChatCompletionChunk => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: framing.model,
        system_fingerprint: outcome.model.versionId,
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReasonOf(outcome) }],
        ...(framing.includeUsage ? { usage: null } : {}),
      }),
      usage: (outcome, id, created): ChatCompletionChunk => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: framing.model,
        system_fingerprint: outcome.model.versionId,
        choices: [],
        usage: usageOf(outcome.usage.promptTokens, outcome.usage.completionTokens),
      }),
      idPrefix: 'chatcmpl-',
    });
  }

  async completion(call: GenerationCall, framing: Framing, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const base = (id: string, created: number, fingerprint: string | null) => ({
      id,
      object: 'text_completion' as const,
      created,
      model: framing.model,
      system_fingerprint: fingerprint,
    });
    await this.respond(call, framing, request, reply, {
      whole: (outcome, id, created): TextCompletion => ({
        ...base(id, created, outcome.model.versionId),
        choices: [{ index: 0, text: outcome.text, logprobs: null, finish_reason: finishReasonOf(outcome) }],
        usage: usageOf(outcome.usage.promptTokens, outcome.usage.completionTokens),
      }),
      chunk: (id, created, text): TextCompletion => ({ ...base(id, created, null), choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }),
      last: (outcome, id, created): TextCompletion => ({
        ...base(id, created, outcome.model.versionId),
        choices: [{ index: 0, text: '', logprobs: null, finish_reason: finishReasonOf(outcome) }],
      }),
      usage: (outcome, id, created): TextCompletion => ({
        ...base(id, created, outcome.model.versionId),
        choices: [],
        usage: usageOf(outcome.usage.promptTokens, outcome.usage.completionTokens),
      }),
      idPrefix: 'cmpl-',
    });
  }

  private async respond(
    call: GenerationCall,
    framing: Framing,
    request: FastifyRequest,
    reply: FastifyReply,
    format: {
      whole(outcome: GenerationOutcome, id: string, created: number): object;
      chunk(id: string, created: number, text: string, first: boolean): object;
      last(outcome: GenerationOutcome, id: string, created: number): object;
      usage(outcome: GenerationOutcome, id: string, created: number): object;
      idPrefix: string;
    },
  ): Promise<void> {
    const stopwatch = call.stopwatch ?? new Stopwatch();
    const id = `${format.idPrefix}${call.meta.requestId}`;
    const created = Math.floor(Date.now() / 1000);
    const abort = new AbortController();
    // The client went away: stop generating and free the sequence (the response event records `aborted`).
    const onClose = () => {
      if (!reply.raw.writableEnded) abort.abort();
    };
    reply.raw.once('close', onClose);
    request.raw.once('aborted', onClose);
    const headers = { 'x-request-id': call.meta.requestId };

    if (!framing.stream) {
      const outcome = await this.governed.generate({ ...call, signal: abort.signal, stopwatch });
      void reply
        .status(200)
        .headers({ ...headers, 'x-attest-overhead-ms': outcome.stopwatch.overheadMs().toFixed(1) })
        .send(format.whole(outcome, id, created));
      return;
    }

    let first = true;
    // Streamed headers leave before the model finishes: they carry the overhead spent before the first byte.
    const sse = new SseStream(reply, () => ({ ...headers, 'x-attest-overhead-ms': stopwatch.overheadMs().toFixed(1) }));
    let outcome: GenerationOutcome;
    try {
      outcome = await this.governed.generate({ ...call, signal: abort.signal, stopwatch }, (text) => {
        sse.send(format.chunk(id, created, text, first));
        first = false;
      });
    } catch (error) {
      if (!sse.isOpen) throw error; // nothing sent yet: the error filter answers with a JSON error and status
      sse.fail(toErrorResponse(error).body);
      return;
    }
    if (outcome.finishReason === 'aborted') {
      if (!reply.raw.writableEnded) reply.raw.destroy();
      return;
    }
    if (first) sse.send(format.chunk(id, created, '', true));
    sse.send(format.last(outcome, id, created));
    if (framing.includeUsage) sse.send(format.usage(outcome, id, created));
    sse.done();
  }
}

function finishReasonOf(outcome: GenerationOutcome): FinishReason {
  return outcome.finishReason === 'length' ? 'length' : 'stop';
}
