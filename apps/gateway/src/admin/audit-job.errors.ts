/**
 * Stable codes of {@link AuditJobError}, mapped to HTTP in apps/gateway/src/errors/domain-error-status.ts:
 * AUDIT_JOB_NOT_FOUND → 404 (also another person's job: it does not exist for them), AUDIT_JOB_LIMIT → 429,
 * AUDIT_JOB_NOT_READY → 409 (a bundle asked for before its export finished, or of an export that failed).
 */
export enum AuditJobErrorCode {
  NotFound = 'AUDIT_JOB_NOT_FOUND',
  Limit = 'AUDIT_JOB_LIMIT',
  NotReady = 'AUDIT_JOB_NOT_READY',
}

/** A refused request about an auditor console job (verify the log, export evidence). */
export class AuditJobError extends Error {
  constructor(
    readonly code: AuditJobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditJobError';
  }
}
