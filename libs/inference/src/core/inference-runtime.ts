import { InferenceError, InferenceErrorCode } from './inference.errors';
import type { InferenceConfig } from './inference.config';
import type { EmbeddingResult, GenerationRequest, GenerationResult, ModelSpec, RuntimeStats } from './inference.types';
import { LocalModelPool, type LocalModelSpec } from './local/local-model-pool';
import { RemoteOpenAiBackend, type RemoteSource } from './remote/remote-openai-backend';

/**
 * Runs model versions: GGUF files in-process through node-llama-cpp (a pool with a memory budget, one shared context
 * per model with several sequences, a bounded queue, KV prefix reuse), or OpenAI-compatible remote servers with
 * timeouts, retries and failover. No HTTP server here: the gateway calls it.
 *
 * @example
 * const runtime = new InferenceRuntime(inferenceConfig.load());
 * const model: ModelSpec = { versionId: 'v1', name: 'stories', source: { kind: 'local_gguf', path: 'models/builtin/stories260k-f32-v3.gguf' } };
 * const result = await runtime.generate(model, { prompt: 'Once upon a time', maxTokens: 16, temperature: 0, onText: (chunk) => process.stdout.write(chunk) });
 * // result.text === ', there was a little girl named Lily. She loved to play'; result.usage → { promptTokens: 7, completionTokens: 16 }
 * await runtime.close();
 */
export class InferenceRuntime {
  private readonly localPool: LocalModelPool;
  private readonly remoteBackends = new Map<string, RemoteOpenAiBackend>();

  constructor(private readonly config: InferenceConfig) {
    this.localPool = new LocalModelPool(config);
  }

  /**
   * Generates a chat reply (`messages`) or a plain completion (`prompt`). An abort through `request.signal` stops
   * generation, frees the sequence and resolves with `finishReason: 'aborted'` and the text so far.
   * @throws InferenceError QUEUE_FULL, QUEUE_TIMEOUT, CONTEXT_OVERFLOW, INVALID_REQUEST, MODEL_LOAD_FAILED,
   *   MODEL_UNAVAILABLE, INTEGRITY_MISMATCH, BACKEND_FAILED, BACKEND_TIMEOUT
   */
  async generate(model: ModelSpec, request: GenerationRequest): Promise<GenerationResult> {
    validateRequest(request);
    if (isLocal(model)) return (await this.localPool.get(model)).generate(request);
    return this.remoteFor(model).generate(request);
  }

  /** One vector per input, in order; `promptTokens` sums the tokens of every input. */
  async embed(model: ModelSpec, inputs: string[], signal?: AbortSignal): Promise<EmbeddingResult> {
    if (isLocal(model)) return (await this.localPool.get(model)).embed(inputs, signal);
    return this.remoteFor(model).embed(inputs, signal);
  }

  /** Tokens of `text` alone, as the model's tokenizer splits it (no BOS, no chat template). */
  async countTokens(model: ModelSpec, text: string): Promise<number> {
    if (isLocal(model)) return (await this.localPool.get(model)).countTokens(text);
    throw new InferenceError(InferenceErrorCode.Unsupported, 'OpenAI-compatible servers offer no token counting');
  }

  /** For readiness probes: a local file that exists and matches its sha256, or a remote server that answers. */
  async isLoadable(model: ModelSpec): Promise<boolean> {
    if (isLocal(model)) return this.localPool.isLoadable(model);
    return this.remoteFor(model).isHealthy();
  }

  stats(): RuntimeStats {
    const remote = [...this.remoteBackends.entries()].map(([versionId, backend]) => ({
      versionId,
      activeSequences: backend.activeRequests,
      queued: 0,
    }));
    return { loadedModels: [...this.localPool.stats(), ...remote], loadedWeightFiles: this.localPool.loadedWeightFiles() };
  }

  /** Unloads a local model version now (it is loaded again on its next request). */
  unload(versionId: string): Promise<void> {
    return this.localPool.unload(versionId);
  }

  /** Unloads every model and releases llama.cpp; later calls fail with MODEL_UNAVAILABLE. */
  async close(): Promise<void> {
    this.remoteBackends.clear();
    await this.localPool.close();
  }

  private remoteFor(model: ModelSpec): RemoteOpenAiBackend {
    let backend = this.remoteBackends.get(model.versionId);
    if (backend === undefined) {
      backend = new RemoteOpenAiBackend(model.source as RemoteSource, this.config);
      this.remoteBackends.set(model.versionId, backend);
    }
    return backend;
  }
}

function isLocal(model: ModelSpec): model is LocalModelSpec {
  return model.source.kind === 'local_gguf';
}

function validateRequest(request: GenerationRequest): void {
  const invalid = (message: string) => new InferenceError(InferenceErrorCode.InvalidRequest, message);
  if ((request.messages === undefined) === (request.prompt === undefined)) throw invalid('give either messages or prompt');
  if (request.messages?.length === 0) throw invalid('messages must not be empty');
  if (request.maxTokens !== undefined && (!Number.isInteger(request.maxTokens) || request.maxTokens < 1)) {
    throw invalid('maxTokens must be a whole number of at least 1');
  }
  if (request.temperature !== undefined && !(request.temperature >= 0)) throw invalid('temperature must be at least 0');
  if (request.topP !== undefined && !(request.topP > 0 && request.topP <= 1)) throw invalid('topP must be in (0, 1]');
}
