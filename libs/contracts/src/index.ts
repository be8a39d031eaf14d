export { openAiError, openAiErrorSchema } from './lib/openai-error';
export type { OpenAiError } from './lib/openai-error';
export { livenessSchema, readinessCheckSchema, readinessSchema } from './lib/health';
export type { Liveness, Readiness, ReadinessCheck } from './lib/health';
export { AUDIT_RECORDER } from './lib/audit-recorder';
export type {
  AuditActor,
  AuditEventDraft,
  AuditOutcome,
  AuditPolicyDecision,
  AuditReceipt,
  AuditRecorder,
  AuditResource,
  JsonValue,
} from './lib/audit-recorder';
