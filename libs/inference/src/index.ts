// Public API of @attest/inference: the pure core (no NestJS, no TypeORM).
export { InferenceRuntime } from './core/inference-runtime';
export { inferenceConfig, defaultLlamaThreads, type InferenceConfig } from './core/inference.config';
export { InferenceError, InferenceErrorCode } from './core/inference.errors';
export type {
  ChatMessage,
  EmbeddingResult,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  GenerationUsage,
  LoadedModelStats,
  ModelSource,
  ModelSpec,
  RuntimeStats,
  SpeculativeDecoding,
} from './core/inference.types';
export { seededRandom, writeLoraAdapterGguf, type LoraAdapterOptions, type LoraTarget } from './core/local/lora-adapter-writer';
export { sha256OfFile } from './core/local/file-integrity';
