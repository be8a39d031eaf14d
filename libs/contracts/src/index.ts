export { openAiError, openAiErrorSchema } from './lib/openai-error';
export type { OpenAiError } from './lib/openai-error';
export { livenessSchema, readinessCheckSchema, readinessSchema } from './lib/health';
export type { Liveness, Readiness, ReadinessCheck } from './lib/health';
