// The `nodejs` build of cedar-wasm is CommonJS and instantiates its WebAssembly module synchronously on require, so
// the engine can decide synchronously on the request path. One module instance per process: preparsed schemas and
// policy sets live in its (thread-local) cache, keyed by the bundle's sha256.
export * as cedar from '@cedar-policy/cedar-wasm/nodejs';
export type {
  AuthorizationAnswer,
  CedarValueJson,
  DetailedError,
  EntityJson,
  SchemaJson,
  Type as CedarType,
} from '@cedar-policy/cedar-wasm/nodejs';
