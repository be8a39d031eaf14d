import { setFlagsFromString } from 'node:v8';

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

// Node 20's V8 (11.3) aborted the gateway under sustained load ("Fatal error: unreachable code" while the deoptimizer
// rebuilt builtin-continuation frames, Deoptimizer::DoComputeBuiltinContinuation): at 32 concurrent clients in 5 of 16
// runs of 36 s, with fetch or Node's http client alike. With TurboFan's inlining of JS-to-Wasm calls off it happened in
// none of 10 runs of 48 s (docs/reliability.md, finding 8), and decisions cost the same. Cedar is the WebAssembly on the
// request path; the flag changes only how TurboFan compiles JS-to-Wasm calls from now on.
if (process.versions.v8.startsWith('11.')) setFlagsFromString('--no-turbo-inline-js-wasm-calls');
