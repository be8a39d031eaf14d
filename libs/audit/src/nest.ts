// Public API of @attest/audit/nest: the Nest module and persistence beside the core.
export { AuditModule, AUDIT_SETTINGS } from './nest/audit.module';
export type { AuditModuleOptions } from './nest/audit.module';
export { AuditWriter } from './nest/audit-writer';
export type { AuditWriterOptions } from './nest/audit-writer';
export { AuditCheckpointer } from './nest/audit-checkpointer';
export type { AuditCheckpointerOptions } from './nest/audit-checkpointer';
export { AuditEvidenceService } from './nest/audit-evidence.service';
export { AuditSelfVerifier } from './nest/audit-self-verifier';
export type { DatabaseVerifyOptions, ExportRange } from './nest/audit-evidence.service';
export { AuditLogReader } from './nest/audit-log.reader';
export type { LogHead } from './nest/audit-database';
export type { StoredEventRow } from './nest/audit-log.reader';
export { CheckpointFileSink } from './nest/checkpoint-file-sink';
export type { CheckpointSink } from './nest/checkpoint-file-sink';
export { loadOrCreateSigningKey } from './nest/signing-key-file';
export { auditConfig, loadAuditSettings } from './nest/audit.config';
export type { AuditSettings } from './nest/audit.config';
export { AuditError, AuditErrorCode } from './nest/audit.errors';
