/**
 * Stable codes of PII failures. Every one of them means "the text was not checked": the gateway refuses the request
 * (fail closed) instead of passing it through. Messages never contain the analysed text.
 */
export enum PiiErrorCode {
  /** A recognizer threw; the text was not fully analysed. */
  AnalysisFailed = 'PII_ANALYSIS_FAILED',
  /** Analysis exceeded its time budget. */
  AnalysisTimeout = 'PII_ANALYSIS_TIMEOUT',
  /** The text is longer than the configured bound. */
  InputTooLong = 'PII_INPUT_TOO_LONG',
  /** A custom recognizer is malformed or its pattern may backtrack catastrophically. */
  InvalidRecognizer = 'PII_INVALID_RECOGNIZER',
  /** A policy names an unknown operator or lacks a required key. */
  InvalidPolicy = 'PII_INVALID_POLICY',
  /** The pseudonym vault cannot decrypt or was already destroyed. */
  VaultUnavailable = 'PII_VAULT_UNAVAILABLE',
}

/**
 * The one error @attest/pii throws.
 *
 * @example
 * try { engine.analyze(text); } catch (error) {
 *   if (error instanceof PiiError && error.code === PiiErrorCode.AnalysisTimeout) refuse(503);
 * }
 */
export class PiiError extends Error {
  constructor(
    readonly code: PiiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PiiError';
  }
}
