/**
 * Stable codes for inference failures. The gateway maps them to HTTP in one place; the status each code suggests is
 * noted beside it.
 */
export enum InferenceErrorCode {
  /** 400: the request cannot be run as given (no input, both inputs, a JSON schema the grammar builder refuses). */
  InvalidRequest = 'INVALID_REQUEST',
  /** 429 with Retry-After: every sequence of the model is busy and its queue is full. */
  QueueFull = 'QUEUE_FULL',
  /** 503 with Retry-After: the request waited in the queue longer than the configured limit. */
  QueueTimeout = 'QUEUE_TIMEOUT',
  /** 400: the prompt does not fit the model's context. */
  ContextOverflow = 'CONTEXT_OVERFLOW',
  /** 503: the model file could not be loaded (missing, unreadable, not a GGUF, larger than the memory budget). */
  ModelLoadFailed = 'MODEL_LOAD_FAILED',
  /** 503 with Retry-After: the model cannot be served right now (memory budget held by busy models, runtime closed). */
  ModelUnavailable = 'MODEL_UNAVAILABLE',
  /** 503: the file's sha256 differs from the pinned one; the file is refused and never loaded. */
  IntegrityMismatch = 'INTEGRITY_MISMATCH',
  /** 502: a remote backend answered with an error or the local engine failed. */
  BackendFailed = 'BACKEND_FAILED',
  /** 504: no remote endpoint answered within the timeout. */
  BackendTimeout = 'BACKEND_TIMEOUT',
  /** 501: the backend cannot do this (token counting on a remote server). */
  Unsupported = 'UNSUPPORTED',
}

/**
 * The one exception @attest/inference throws.
 *
 * @example
 * try { await runtime.generate(model, request); }
 * catch (error) {
 *   if (error instanceof InferenceError && error.code === InferenceErrorCode.QueueFull) reply.header('retry-after', error.retryAfterSeconds);
 * }
 */
export class InferenceError extends Error {
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InferenceError';
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
