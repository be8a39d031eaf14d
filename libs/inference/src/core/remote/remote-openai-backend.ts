import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { InferenceConfig } from '../inference.config';
import type { EmbeddingResult, FinishReason, GenerationRequest, GenerationResult, ModelSource } from '../inference.types';
import { AttemptFailure, MalformedAnswer, RemoteAttempt } from './remote-attempt';
import type { RemoteResponse } from './remote-response';
import { readServerSentEvents } from './sse-reader';

export type RemoteSource = Extract<ModelSource, { kind: 'remote_openai' }>;
export type RemoteSettings = Pick<InferenceConfig, 'remoteTimeoutMs' | 'remoteRetries' | 'remoteCooldownMs'>;

interface CompletionChoice {
  message?: { content?: string | null };
  delta?: { content?: string | null };
  text?: string;
  finish_reason?: string | null;
}
interface CompletionBody {
  choices?: CompletionChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  /** vLLM and others report a failure inside a stream as an error object. */
  object?: string;
  error?: unknown;
  message?: unknown;
}
interface EmbeddingBody {
  data?: { index: number; embedding: number[] }[];
  usage?: { prompt_tokens?: number };
}

const healthTimeoutMs = 5000;
const maxEventsAfterDone = 16;
/** How long a server may take to end its response after `[DONE]` before the connection is dropped instead of reused. */
const doneGraceMs = 1_000;

/**
 * A model version served by OpenAI-compatible servers the enterprise runs (vLLM, llama.cpp server, Ollama). Endpoints
 * are tried in order, skipping ones that failed recently; a failure that produced nothing for the client is retried on
 * the next endpoint, up to the configured retries. Nothing is retried once text has been streamed.
 */
export class RemoteOpenAiBackend {
  private readonly unhealthyUntil = new Map<string, number>();
  private inFlight = 0;

  constructor(
    private readonly source: RemoteSource,
    private readonly settings: RemoteSettings,
  ) {
    if (source.endpoints.length === 0) throw new InferenceError(InferenceErrorCode.ModelUnavailable, 'a remote model needs an endpoint');
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const chat = request.messages !== undefined;
    const stream = request.onText !== undefined;
    const body = {
      model: this.source.servedModel,
      ...(chat ? { messages: request.messages } : { prompt: request.prompt ?? '' }),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stop !== undefined && request.stop.length > 0 ? { stop: request.stop } : {}),
      ...(request.jsonSchema !== undefined
        ? { response_format: { type: 'json_schema', json_schema: { name: 'response', schema: request.jsonSchema, strict: true } } }
        : {}),
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    };
    const path = chat ? '/chat/completions' : '/completions';
    const streamed = { text: '', chunks: 0 };
    try {
      const onText = request.onText;
      return await this.withFailover(path, body, request.signal, () => streamed.chunks === 0, async (response, attempt) => {
        if (onText === undefined) return toResult(completionOf(await response.json()));
        let finishReason: FinishReason | undefined;
        let done = false;
        let eventsAfterDone = 0;
        let usage: GenerationResult['usage'] | undefined;
        try {
          for await (const data of readServerSentEvents(response.body, () => attempt.touch())) {
            // What follows [DONE] is read, briefly, and ignored: a connection is reused only once its response ended.
            if (done || data === '[DONE]') {
              if (done && ++eventsAfterDone > maxEventsAfterDone) break;
              if (!done) attempt.windDown(doneGraceMs);
              done = true;
              continue;
            }
            const chunk = completionOf(JSON.parse(data));
            const choice = chunk.choices?.[0];
            const text = choice?.delta?.content ?? choice?.text ?? '';
            if (text !== '') {
              streamed.text += text;
              streamed.chunks += 1;
              onText(text);
            }
            if (choice?.finish_reason) finishReason = toFinishReason(choice.finish_reason);
            if (chunk.usage) usage = toUsage(chunk.usage);
          }
        } catch (error) {
          // After [DONE] the answer is whole; a server that then never ends its response only loses its connection.
          if (!done || request.signal?.aborted) throw error;
        }
        // A stream cut short (a proxy timeout, a crashed worker behind a keep-alive) must not pass for a whole answer;
        // nor may a body that held no completion at all (an error page, JSON of another shape).
        if (finishReason === undefined && !(done && streamed.chunks > 0)) {
          throw new MalformedAnswer(done ? 'the stream held no completion' : 'the stream ended before its finish_reason or [DONE]');
        }
        return { text: streamed.text, finishReason: finishReason ?? 'stop', usage: usage ?? { promptTokens: 0, completionTokens: streamed.chunks } };
      });
    } catch (error) {
      if (request.signal?.aborted) {
        // Servers send usage only at the end; an aborted stream reports one token per chunk received.
        return { text: streamed.text, finishReason: 'aborted', usage: { promptTokens: 0, completionTokens: streamed.chunks } };
      }
      throw error;
    }
  }

  async embed(inputs: readonly string[], signal?: AbortSignal): Promise<EmbeddingResult> {
    const body = { model: this.source.servedModel, input: inputs };
    return this.withFailover('/embeddings', body, signal, () => true, async (response) => {
      const parsed = (await response.json()) as EmbeddingBody;
      const data = [...(parsed.data ?? [])].sort((a, b) => a.index - b.index);
      return { vectors: data.map((item) => item.embedding), promptTokens: parsed.usage?.prompt_tokens ?? 0 };
    });
  }

  /** True when any endpoint lists its models (`GET /models`) in time; marks the ones that do not. */
  async isHealthy(): Promise<boolean> {
    const results = await Promise.all(
      this.source.endpoints.map(async (endpoint) => {
        const attempt = new RemoteAttempt({
          method: 'GET',
          url: `${trimSlash(endpoint)}/models`,
          idleTimeoutMs: Math.min(healthTimeoutMs, this.timeoutMs),
          ...(this.source.apiKey !== undefined ? { apiKey: this.source.apiKey } : {}),
        });
        try {
          await (await attempt.send()).text();
          this.unhealthyUntil.delete(endpoint);
          return true;
        } catch {
          this.markUnhealthy(endpoint);
          return false;
        } finally {
          attempt.finish();
        }
      }),
    );
    return results.some(Boolean);
  }

  private get timeoutMs(): number {
    return this.source.timeoutMs ?? this.settings.remoteTimeoutMs;
  }

  private async withFailover<T>(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    mayRetry: () => boolean,
    read: (response: RemoteResponse, attempt: RemoteAttempt) => Promise<T>,
  ): Promise<T> {
    const endpoints = this.endpointOrder();
    let lastFailure: AttemptFailure | undefined;
    this.inFlight += 1;
    try {
      for (let index = 0; index <= this.settings.remoteRetries; index += 1) {
        const endpoint = endpoints[index % endpoints.length] ?? this.source.endpoints[0] ?? '';
        const attempt = new RemoteAttempt({
          method: 'POST',
          url: `${trimSlash(endpoint)}${path}`,
          body,
          idleTimeoutMs: this.timeoutMs,
          ...(signal !== undefined ? { signal } : {}),
          ...(this.source.apiKey !== undefined ? { apiKey: this.source.apiKey } : {}),
        });
        try {
          const result = await read(await attempt.send(), attempt);
          this.unhealthyUntil.delete(endpoint);
          return result;
        } catch (error) {
          const failure = attempt.classify(error);
          if (!(failure instanceof AttemptFailure)) throw failure;
          if (failure.retryable) this.markUnhealthy(endpoint);
          if (!failure.retryable || !mayRetry()) throw failure.toInferenceError();
          lastFailure = failure;
        } finally {
          attempt.finish();
        }
      }
      throw (lastFailure ?? new AttemptFailure('network', 'no endpoint was tried')).toInferenceError();
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Healthy endpoints first, in their configured order; those cooling down after a failure last. */
  private endpointOrder(): string[] {
    const now = Date.now();
    const cooling = (endpoint: string) => (this.unhealthyUntil.get(endpoint) ?? 0) > now;
    return [...this.source.endpoints.filter((e) => !cooling(e)), ...this.source.endpoints.filter(cooling)];
  }

  private markUnhealthy(endpoint: string): void {
    this.unhealthyUntil.set(endpoint, Date.now() + this.settings.remoteCooldownMs);
  }
}

/**
 * One completion body or stream chunk, checked where the gateway relies on it: an object, `choices` a list of objects,
 * text a string. Anything else (or an error object) is a malformed answer, which fails over like a network error.
 */
function completionOf(value: unknown): CompletionBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedAnswer('the body is not a JSON object');
  const body = value as CompletionBody;
  if (body.error !== undefined || body.object === 'error') {
    const reported = typeof body.error === 'object' && body.error !== null ? (body.error as { message?: unknown }).message : (body.error ?? body.message);
    throw new MalformedAnswer(`the server reported an error: ${String(reported ?? 'no message')}`.slice(0, 500));
  }
  if (body.choices !== undefined && !Array.isArray(body.choices)) throw new MalformedAnswer('choices is not a list');
  for (const choice of body.choices ?? []) {
    if (typeof choice !== 'object' || choice === null) throw new MalformedAnswer('a choice is not an object');
    for (const text of [choice.message?.content, choice.delta?.content, choice.text]) {
      if (text !== undefined && text !== null && typeof text !== 'string') throw new MalformedAnswer('a choice carries text that is not a string');
    }
  }
  return body;
}

function toResult(body: CompletionBody): GenerationResult {
  const choice = body.choices?.[0];
  if (choice === undefined) throw new MalformedAnswer('the remote server answered without choices');
  return {
    text: choice.message?.content ?? choice.text ?? '',
    finishReason: toFinishReason(choice.finish_reason ?? 'stop'),
    usage: toUsage(body.usage ?? {}),
  };
}

function toUsage(usage: NonNullable<CompletionBody['usage']>): GenerationResult['usage'] {
  return { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0, cachedPromptTokens: 0 };
}

function toFinishReason(reason: string): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
