import { context, propagation } from '@opentelemetry/api';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import { exchange, type RemoteResponse } from './remote-response';

/**
 * A 200 answer that is not an OpenAI completion: not JSON, the wrong shape, an error object inside the stream, or a
 * stream that ends before its finish. Thrown while reading; the attempt classifies it as `malformed`.
 */
export class MalformedAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAnswer';
  }
}

function traceContextHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Why one attempt against one endpoint failed, and whether another attempt may help. */
export class AttemptFailure extends Error {
  constructor(
    readonly kind: 'network' | 'timeout' | 'status' | 'malformed',
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AttemptFailure';
    this.detail = options?.detail;
  }

  /** What the server said about a refused request (its body), without the endpoint's address. */
  readonly detail: string | undefined;

  /**
   * Generation has no side effects on the server, so an attempt that produced nothing for the client may be repeated
   * elsewhere: connection failures, timeouts, garbled answers, and statuses that say "not now" or "this replica
   * failed" (408, 429, 500, 502, 503, 504). A 500 is one server's fault (out of memory, a crashed worker), not the
   * request's: the server says so with 400/413/422.
   */
  get retryable(): boolean {
    if (this.kind !== 'status') return true;
    return this.status === 408 || this.status === 429 || this.status === 500 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  toInferenceError(): InferenceError {
    if (this.kind === 'timeout') return new InferenceError(InferenceErrorCode.BackendTimeout, this.message, { cause: this });
    // The remote server judged the request itself invalid (a prompt longer than its context, a bad schema). Its reason
    // reaches the caller; the endpoint's address (an internal host) stays in the cause, for the server log.
    if (this.status === 400 || this.status === 413 || this.status === 422) {
      return new InferenceError(InferenceErrorCode.InvalidRequest, `the model server refused the request: ${reasonOf(this.detail)}`, { cause: this });
    }
    return new InferenceError(InferenceErrorCode.BackendFailed, this.message, { cause: this });
  }
}

/** An OpenAI-style error body's message, else the body as text. */
function reasonOf(detail: string | undefined): string {
  if (!detail) return '(no reason given)';
  try {
    const parsed = JSON.parse(detail) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'object' ? parsed.error?.message : (parsed.error ?? parsed.message);
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // not JSON: the text itself
  }
  return detail;
}

export interface AttemptOptions {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  apiKey?: string;
  /** Longest silence: before the response headers, and between two body chunks while streaming. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

/** A call whose deadline restarts whenever bytes arrive, so a long stream is not cut while a stalled one is. */
export class RemoteAttempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private response: RemoteResponse | undefined;
  private timedOut = false;
  private idleMs: number;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(private readonly options: AttemptOptions) {
    this.idleMs = options.idleTimeoutMs;
  }

  get callerAborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  async send(): Promise<RemoteResponse> {
    this.options.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
    try {
      const response = await exchange({
        method: this.options.method,
        url: this.options.url,
        headers: {
          // W3C trace context of the active span (the request's trace), so the backend's spans join it; nothing
          // without an OpenTelemetry SDK.
          ...traceContextHeaders(),
          accept: 'application/json, text/event-stream',
          ...(this.options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
        },
        ...(this.options.body === undefined ? {} : { body: JSON.stringify(this.options.body) }),
        signal: this.controller.signal,
      });
      this.response = response;
      this.touch();
      if (!response.ok) {
        const detail = (await response.text(4096).catch(() => '')).slice(0, 500);
        throw new AttemptFailure('status', `${this.options.url} answered ${response.status}: ${detail}`, response.status, { detail });
      }
      return response;
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** Restarts the idle deadline; call it whenever data arrives. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.idleMs);
  }

  /** The answer is whole: from now on the server gets only `graceMs` of silence to end its response. */
  windDown(graceMs: number): void {
    this.idleMs = Math.min(this.idleMs, graceMs);
    this.touch();
  }

  classify(error: unknown): unknown {
    if (error instanceof AttemptFailure || error instanceof InferenceError || this.callerAborted) return error;
    if (this.timedOut) {
      return new AttemptFailure('timeout', `${this.options.url} sent nothing for ${this.options.idleTimeoutMs} ms`, undefined, {
        cause: error,
      });
    }
    // A SyntaxError is a body or stream frame that is not JSON (by name: fetch's own errors come from Node's realm).
    const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
    if (error instanceof MalformedAnswer || name === 'SyntaxError') {
      const why = String((error as { message?: unknown }).message);
      return new AttemptFailure('malformed', `${this.options.url} sent an answer that is not an OpenAI completion: ${why}`, undefined, { cause: error });
    }
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return new AttemptFailure('network', `${this.options.url} is unreachable: ${reason}`, undefined, { cause: error });
  }

  finish(): void {
    clearTimeout(this.timer);
    this.response?.release();
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}
