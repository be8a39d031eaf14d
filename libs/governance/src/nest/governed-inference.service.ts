import type { Principal } from '@attest/identity';
import { InferenceError, InferenceRuntime, type ChatMessage, type GenerationResult } from '@attest/inference';
import { countFindings, type OperatorPolicy, type PiiEngine, type PiiFinding } from '@attest/pii';
import { PII_ENGINE } from '@attest/pii/nest';
import type { ResolvedModel } from '@attest/registry';
import { GatewayMetrics, inSpan } from '@attest/telemetry';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { responseEvent, type RequestMeta } from '../core/audit-drafts';
import type { GovernanceConfig } from '../core/governance.config';
import { Stopwatch } from '../core/stopwatch';
import { effectiveMaxTokens } from '../core/token-budget';
import { GOVERNANCE_CONFIG } from './governance.tokens';
import { type AdmittedCall, RequestGateService } from './request-gate.service';

export interface GovernedGeneration {
  principal: Principal;
  meta: RequestMeta;
  action: 'chat' | 'completion';
  model: string;
  messages?: ChatMessage[];
  prompt?: string;
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  seed?: number | null;
  stop?: string[];
  jsonSchema?: Record<string, unknown>;
  signal: AbortSignal;
  /** Started when the request arrived, so the overhead includes authentication and body parsing. */
  stopwatch?: Stopwatch;
}

export interface GenerationOutcome {
  text: string;
  finishReason: 'stop' | 'length' | 'aborted';
  usage: { promptTokens: number; completionTokens: number };
  model: ResolvedModel;
  stopwatch: Stopwatch;
}

const NAMED_ENTITY_TYPES = new Set(['PERSON', 'LOCATION', 'ORGANIZATION', 'NRP']);

/** Receives generated text as soon as the output scan has cleared it (streaming). */
export type TextSink = (text: string) => void;

/**
 * Chat and text completions through the governed path: the gate (steps 3–7), inference, the output scan, and the
 * `inference.response` event, committed before this method returns, so before the caller sends the last byte.
 */
@Injectable()
export class GovernedInferenceService {
  constructor(
    private readonly gate: RequestGateService,
    @Inject(PII_ENGINE) private readonly pii: PiiEngine,
    private readonly runtime: InferenceRuntime,
    @Inject(GOVERNANCE_CONFIG) private readonly config: GovernanceConfig,
    @Optional() private readonly metrics?: GatewayMetrics,
  ) {}

  async generate(call: GovernedGeneration, sink?: TextSink): Promise<GenerationOutcome> {
    const stopwatch = call.stopwatch ?? new Stopwatch();
    let outcome = 'error';
    // Label by the registry's name, never the caller's string: hostile model names must not mint new time series.
    let model = 'unresolved';
    try {
      const result = await this.governedGenerate(call, stopwatch, sink);
      outcome = result.finishReason === 'aborted' ? 'aborted' : 'success';
      model = result.model.modelName;
      this.metrics?.tokens.inc({ model: result.model.modelName, direction: 'in' }, result.usage.promptTokens);
      this.metrics?.tokens.inc({ model: result.model.modelName, direction: 'out' }, result.usage.completionTokens);
      this.metrics?.overhead.observe({ operation: call.action }, stopwatch.overheadMs() / 1000);
      return result;
    } catch (error) {
      outcome = error instanceof Error ? error.name : 'error';
      throw error;
    } finally {
      const labels = { operation: call.action, model, outcome };
      this.metrics?.requests.inc(labels);
      this.metrics?.requestDuration.observe(labels, stopwatch.totalMs() / 1000);
    }
  }

  private async governedGenerate(call: GovernedGeneration, stopwatch: Stopwatch, sink?: TextSink): Promise<GenerationOutcome> {
    const inputs = call.messages ? call.messages.map((message) => message.content) : [call.prompt ?? ''];
    const admitted = await this.gate.admit({ ...call, inputs });
    const messages = call.messages?.map((message, index) => ({ ...message, content: admitted.texts[index] ?? '' }));
    // Nothing to redact: stream straight through, with no held-back tail delaying the first token.
    const redacts = this.scansOutput() && Object.keys(admitted.redaction).length > 0;
    // Only a stream needs the incremental redactor; a whole answer is read once at the end (one named-entity pass).
    const redactor = redacts && sink ? this.pii.createStreamRedactor(admitted.redaction) : undefined;
    let emitted = '';
    const emit = (text: string) => {
      if (!text) return;
      emitted += text;
      sink?.(text);
    };

    let result: GenerationResult;
    stopwatch.startModel();
    try {
      result = await this.infer(call, admitted, messages, (chunk) => emit(redactor ? redactor.push(chunk) : chunk));
    } catch (error) {
      stopwatch.stopModel();
      await this.recordResponse(call, admitted, stopwatch, {
        outcome: 'failure',
        response: this.scansOutput() ? this.gate.redactAll(emitted, this.gate.analyze(emitted, this.patternEntities())) : emitted,
        usage: { promptTokens: 0, completionTokens: 0 },
        errorCode: error instanceof InferenceError ? error.code : 'INTERNAL',
      });
      throw error;
    }
    stopwatch.stopModel();
    if (redactor) emit(redactor.flush());
    // The redactor already replaced the policy's types (named entities included) in what it emitted: the output scan
    // then reads that text with the pattern recognizers only (~0.1 ms) instead of a second named-entity pass (~3 ms).
    // A whole answer is scanned once, and the same findings redact it, count it and keep it out of the log.
    const scanned = redactor ? emitted : result.text;
    const outputFindings = this.scansOutput() ? await inSpan('attest.output_scan', {}, () => this.gate.analyze(scanned, redactor ? this.patternEntities() : this.outputEntities(admitted))) : [];
    const text = redactor || sink ? emitted : redacts ? this.redactWhole(result.text, outputFindings, admitted.redaction) : result.text;
    // Types the redactor replaced are gone from what the scan read: count them from what it applied.
    const outputPii = countFindings([...outputFindings, ...(redactor?.applied ?? [])]);
    for (const [type, count] of Object.entries(outputPii)) this.metrics?.piiFindings.inc({ type, stage: 'output' }, count);
    await this.recordResponse(call, admitted, stopwatch, {
      outcome: result.finishReason === 'aborted' ? 'aborted' : 'success',
      // Every finding of the output scan replaced: the log never holds a personal value in the clear.
      response: this.gate.redactAll(scanned, outputFindings),
      usage: result.usage,
      finishReason: result.finishReason,
      outputPii,
      rawResponse: result.text,
    });
    // The answer is served and its events are committed: token counting is bookkeeping, batched off the request path.
    this.gate.recordTokens(call.principal, admitted.decision, result.usage.promptTokens + result.usage.completionTokens);
    return { text, finishReason: result.finishReason, usage: result.usage, model: admitted.model, stopwatch };
  }

  private scansOutput(): boolean {
    return this.config.scanOutput && this.config.piiEnabled;
  }

  /** The policy's redaction applied to a whole answer, from findings already made. */
  private redactWhole(text: string, findings: PiiFinding[], redaction: OperatorPolicy): string {
    const relevant = findings.filter((finding) => finding.type in redaction || '*' in redaction);
    return relevant.length === 0 ? text : this.pii.transform(text, relevant, redaction).text;
  }

  /** The recognizers without a named-entity pass: patterns, checksums and context words. */
  private patternEntities(): string[] {
    return this.pii.supportedEntities.filter((type) => !NAMED_ENTITY_TYPES.has(type));
  }

  /**
   * Output PII is counted with the pattern and checksum recognizers (and whatever the policy redacts): the
   * named-entity pass costs tens of milliseconds per answer, and this count sits before the answer's last byte.
   */
  private outputEntities(admitted: AdmittedCall): string[] {
    const redacted = Object.keys(admitted.redaction);
    if (redacted.includes('*')) return [...this.pii.supportedEntities];
    return [...new Set([...this.pii.supportedEntities.filter((type) => !NAMED_ENTITY_TYPES.has(type)), ...redacted])];
  }

  /** Step 8: the model itself, inside a GenAI span carrying token counts (never text). */
  private infer(call: GovernedGeneration, admitted: AdmittedCall, messages: ChatMessage[] | undefined, onText: (chunk: string) => void) {
    const attributes = { 'gen_ai.operation.name': call.action, 'gen_ai.request.model': admitted.model.modelName };
    return inSpan('attest.inference', attributes, async (span) => {
      const generated = await this.runtime.generate(admitted.spec, {
        messages,
        prompt: messages ? undefined : admitted.texts[0],
        maxTokens: effectiveMaxTokens({
          requested: call.maxTokens,
          policyCap: admitted.decision.obligations.maxTokensCap,
          modelLimit: admitted.model.samplingLimits.maxTokens,
          fallback: this.config.defaultMaxTokens,
        }),
        temperature: call.temperature ?? undefined,
        topP: call.topP ?? undefined,
        seed: call.seed ?? undefined,
        stop: call.stop,
        jsonSchema: call.jsonSchema,
        signal: call.signal,
        onText,
      });
      span.setAttributes({ 'gen_ai.usage.input_tokens': generated.usage.promptTokens, 'gen_ai.usage.output_tokens': generated.usage.completionTokens });
      return generated;
    });
  }

  private async recordResponse(
    call: GovernedGeneration,
    admitted: AdmittedCall,
    stopwatch: Stopwatch,
    result: {
      outcome: 'success' | 'aborted' | 'failure';
      response: string;
      usage: { promptTokens: number; completionTokens: number };
      finishReason?: string;
      errorCode?: string;
      outputPii?: Record<string, number>;
      /** The model's unredacted answer: sealed into the event where the tenant keeps raw content. */
      rawResponse?: string;
    },
  ) {
    const sealedRaw =
      admitted.rawSubject && result.rawResponse !== undefined
        ? await this.gate.sealRaw(call.principal.tenant, admitted.rawSubject, { response: result.rawResponse })
        : undefined;
    return this.gate.commit(
      responseEvent({
        ...(sealedRaw ? { sealedRaw } : {}),
        action: call.action,
        principal: call.principal,
        meta: call.meta,
        model: admitted.model,
        decision: admitted.decision,
        outcome: result.outcome,
        response: result.response,
        usage: result.usage,
        latencyMs: stopwatch.totalMs(),
        finishReason: result.finishReason,
        errorCode: result.errorCode,
        pii: result.outputPii ?? {},
      }),
    );
  }
}
