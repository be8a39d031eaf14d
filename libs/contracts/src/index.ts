export { openAiError, openAiErrorSchema } from './lib/openai-error';
export type { OpenAiError } from './lib/openai-error';
export { livenessSchema, readinessCheckSchema, readinessSchema } from './lib/health';
export type { Liveness, Readiness, ReadinessCheck } from './lib/health';
export { AUDIT_RECORDER, RAW_CONTENT_SEALER } from './lib/audit-recorder';
export type {
  AuditActor,
  AuditEventDraft,
  AuditOutcome,
  AuditPolicyDecision,
  AuditReceipt,
  AuditRecorder,
  AuditResource,
  JsonValue,
  RawContentSealer,
  SealedRawContent,
} from './lib/audit-recorder';
export {
  chatCompletionRequestSchema,
  chatMessageSchema,
  completionRequestSchema,
  embeddingRequestSchema,
  LIMITS,
  messageText,
} from './lib/openai-requests';
export type {
  ChatCompletionRequest,
  ChatMessageInput,
  CompletionRequest,
  EmbeddingRequest,
  ResponseFormat,
} from './lib/openai-requests';
export { usageOf } from './lib/openai-responses';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  EmbeddingList,
  FinishReason,
  ModelList,
  TextCompletion,
  Usage,
} from './lib/openai-responses';
