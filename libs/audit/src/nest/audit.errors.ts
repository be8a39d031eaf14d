/**
 * Stable codes of {@link AuditError}. Suggested HTTP mapping: AUDIT_UNAVAILABLE, AUDIT_OVERLOADED, AUDIT_SHUT_DOWN,
 * AUDIT_FENCED → 503 (nothing is served unaudited); AUDIT_EVENT_INVALID, AUDIT_HOLD_INVALID → 400; AUDIT_EVENT_NOT_FOUND, AUDIT_HOLD_NOT_FOUND → 404;
 * AUDIT_HOLD_RELEASED, AUDIT_RETENTION_BUSY → 409;
 * AUDIT_ROLLED_BACK, AUDIT_FORKED, AUDIT_KEY_UNUSABLE, AUDIT_SINK_UNUSABLE → refuse to start (500 if ever seen on a request).
 */
export enum AuditErrorCode {
  /** The database did not take the record (down, timeout, refused): the act must be refused. */
  Unavailable = 'AUDIT_UNAVAILABLE',
  /** More records are waiting than the writer may hold: refused rather than queued without bound. */
  Overloaded = 'AUDIT_OVERLOADED',
  /** The writer is stopping; no new records. */
  ShutDown = 'AUDIT_SHUT_DOWN',
  /** The batch was sequenced under an older fencing epoch than the database's. */
  Fenced = 'AUDIT_FENCED',
  /** The event cannot be represented canonically (lone surrogate, non-finite number, non-JSON value). */
  EventInvalid = 'AUDIT_EVENT_INVALID',
  EventNotFound = 'AUDIT_EVENT_NOT_FOUND',
  /** The database holds fewer events than a checkpoint in the sink outside it: restored from an older backup, or its tail deleted. */
  RolledBack = 'AUDIT_ROLLED_BACK',
  /** The database's events differ from a checkpoint in the sink outside it. */
  Forked = 'AUDIT_FORKED',
  KeyUnusable = 'AUDIT_KEY_UNUSABLE',
  SinkUnusable = 'AUDIT_SINK_UNUSABLE',
  /** A legal hold request is not well-formed (reason missing or too long, dates invalid or reversed). */
  HoldInvalid = 'AUDIT_HOLD_INVALID',
  HoldNotFound = 'AUDIT_HOLD_NOT_FOUND',
  /** The hold was released already; a release is final. */
  HoldReleased = 'AUDIT_HOLD_RELEASED',
  /** Another process is applying retention right now. */
  RetentionBusy = 'AUDIT_RETENTION_BUSY',
}

export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditError';
  }
}
