// Public API of @attest/registry: the pure core (no NestJS, no TypeORM).
export { readGgufMetadata, readGgufMetadataFromBytes, DEFAULT_GGUF_LIMITS } from './core/gguf/gguf-reader';
export type { GgufArraySummary, GgufLimits, GgufMetadata, GgufQuantisation, GgufValue } from './core/gguf/gguf-reader';
export { GgufValueType, SCALAR_BYTES as GGUF_SCALAR_BYTES } from './core/gguf/gguf-types';
export { RegistryError, RegistryErrorCode, httpStatusForRegistryError } from './core/registry.errors';
export type {
  Deployment,
  LocalGgufSource,
  ModelSource,
  RemoteOpenAiSource,
  ResolvedLoraAdapter,
  ResolvedModel,
  SamplingLimits,
} from './core/resolved-model';
export { APPROVER_ROLE, VERSION_STATUSES, assertCanApprove, assertTransition, canTransition, servesDirectly, servesThroughAlias } from './core/lifecycle';
export type { VersionStatus } from './core/lifecycle';
export { parseAliasTargets, pickWeighted, validateAliasTargets, MAX_ALIAS_TARGETS, MAX_TARGET_WEIGHT } from './core/alias-routing';
export type { AliasTargetSpec } from './core/alias-routing';
export { formatVersionRef, parseRequestedModel, parseVersionRef, ALIAS_NAME_PATTERN, MODEL_NAME_PATTERN } from './core/model-reference';
export type { RequestedModel, VersionRef } from './core/model-reference';
export { sha256File, verifyFileSha256 } from './core/file-digest';
export type { FileDigest, HashProgress } from './core/file-digest';
export { BUILTIN_MODEL, locateBuiltinModel } from './core/builtin-model';
export { SYSTEM_ACTOR, toAuditActor } from './core/registry-actor';
export type { RegistryActor } from './core/registry-actor';
export { registryConfig, defaultBuiltinModelPath } from './core/registry.config';
export type { RegistryConfig } from './core/registry.config';
