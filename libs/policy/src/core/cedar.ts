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

// Node 20's V8 (11.3) aborts the whole process ("Fatal error: unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when optimized code that inlined a call into WebAssembly is deoptimized
// on its way back: under sustained load (a governed gateway at 32 concurrent clients) it killed about a third of the
// 36-second runs, with fetch or Node's http client alike, and none of 10 runs of 48 s with this inlining off
// (bench/overhead/README.md). Cedar is the WebAssembly on the request path; the flag only changes how TurboFan
// compiles JS-to-Wasm calls made from now on.
if (process.versions.v8.startsWith('11.')) setFlagsFromString('--no-turbo-inline-js-wasm-calls');
