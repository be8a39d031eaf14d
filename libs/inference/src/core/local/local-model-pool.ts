import { stat } from 'node:fs/promises';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { InferenceConfig } from '../inference.config';
import type { LoadedModelStats, ModelSpec } from '../inference.types';
import { FileIntegrityChecker } from './file-integrity';
import { errorMessage, LocalModel } from './local-model';
import { createLlama, type Llama, type LlamaModel, type NodeLlamaCppModule } from './node-llama-cpp';

export type LocalModelSpec = ModelSpec & { source: Extract<ModelSpec['source'], { kind: 'local_gguf' }> };

interface VersionEntry {
  /** Weight files the version uses: its model, and a draft model for speculative decoding. */
  paths: string[];
  model: Promise<LocalModel>;
  loaded?: LocalModel;
  lastUsed: number;
}

/** Weights of one GGUF file, shared by every version that runs on it (a base model and its LoRA variants). */
interface WeightsEntry {
  model: Promise<LlamaModel>;
  loaded?: LlamaModel;
  users: Set<string>;
}

const bytesPerMb = 1024 * 1024;

/**
 * Loads local model versions on demand and keeps their total RAM under the budget by unloading the least recently
 * used idle ones. Versions of the same file share one copy of the weights; each has its own context (and LoRA
 * adapters). Loading is single-flight per version: concurrent first requests wait for one load.
 */
export class LocalModelPool {
  private readonly versions = new Map<string, VersionEntry>();
  private readonly weights = new Map<string, WeightsEntry>();
  private readonly integrity = new FileIntegrityChecker();
  private llama: Promise<{ module: NodeLlamaCppModule; llama: Llama }> | undefined;
  private closed = false;
  private useCounter = 0;

  constructor(private readonly config: InferenceConfig) {}

  async get(spec: LocalModelSpec): Promise<LocalModel> {
    if (this.closed) throw new InferenceError(InferenceErrorCode.ModelUnavailable, 'the inference runtime is closed');
    const existing = this.versions.get(spec.versionId);
    if (existing !== undefined) {
      existing.lastUsed = ++this.useCounter;
      return existing.model;
    }
    const entry: VersionEntry = { paths: weightPaths(spec), model: this.load(spec), lastUsed: ++this.useCounter };
    this.versions.set(spec.versionId, entry);
    entry.model.then(
      (model) => (entry.loaded = model),
      () => this.versions.delete(spec.versionId),
    );
    return entry.model;
  }

  /** True when the version is loaded, or its file exists and matches its pinned sha256. */
  async isLoadable(spec: LocalModelSpec): Promise<boolean> {
    if (this.versions.get(spec.versionId)?.loaded !== undefined) return true;
    try {
      await this.integrity.verify(spec.source.path, spec.source.sha256);
      return true;
    } catch {
      return false;
    }
  }

  stats(): LoadedModelStats[] {
    return [...this.versions.values()].flatMap((entry) => (entry.loaded === undefined ? [] : [entry.loaded.stats()]));
  }

  /** Distinct weight files in memory (a base model and its LoRA variants count once). */
  loadedWeightFiles(): string[] {
    return [...this.weights.entries()].flatMap(([path, entry]) => (entry.loaded === undefined ? [] : [path]));
  }

  async unload(versionId: string): Promise<void> {
    const entry = this.versions.get(versionId);
    if (entry === undefined) return;
    this.versions.delete(versionId);
    await (await entry.model.catch(() => undefined))?.dispose();
    for (const path of entry.paths) await this.releaseWeights(path, versionId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.versions.keys()].map((versionId) => this.unload(versionId)));
    const binding = await this.llama?.catch(() => undefined);
    await binding?.llama.dispose();
  }

  private get budgetBytes(): number {
    return this.config.memoryBudgetMb * bytesPerMb;
  }

  private async load(spec: LocalModelSpec): Promise<LocalModel> {
    const speculative = spec.source.speculative;
    const draft = speculative?.kind === 'draft_model' ? speculative : undefined;
    await this.integrity.verify(spec.source.path, spec.source.sha256);
    if (draft !== undefined) await this.integrity.verify(draft.path, draft.sha256);
    // File sizes estimate new weights before loading; the contexts' real size is checked once they exist.
    let newWeightBytes = 0;
    for (const path of weightPaths(spec)) if (!this.weights.has(path)) newWeightBytes += (await stat(path)).size;
    if (newWeightBytes > this.budgetBytes) throw this.overBudget(spec, newWeightBytes);
    await this.makeRoom(spec.versionId, newWeightBytes);
    this.llama ??= createLlama(this.config.threads);
    const { module, llama } = await this.llama;
    let model: LocalModel | undefined;
    try {
      const weights = await this.acquireWeights(spec, spec.source.path, llama);
      const draftWeights = draft === undefined ? undefined : await this.acquireWeights(spec, draft.path, llama);
      model = await LocalModel.create(module, llama, weights, spec, this.config, draftWeights);
      const total = weights.size + (draftWeights?.size ?? 0) + model.contextBytes;
      if (total > this.budgetBytes) throw this.overBudget(spec, total);
      await this.makeRoom(spec.versionId, model.contextBytes);
      return model;
    } catch (error) {
      await model?.dispose();
      for (const path of weightPaths(spec)) await this.releaseWeights(path, spec.versionId);
      throw error;
    }
  }

  private async acquireWeights(spec: LocalModelSpec, path: string, llama: Llama): Promise<LlamaModel> {
    let entry = this.weights.get(path);
    if (entry === undefined) {
      const created: WeightsEntry = { model: llama.loadModel({ modelPath: path, gpuLayers: 0 }), users: new Set() };
      created.model.then(
        (model) => (created.loaded = model),
        () => this.weights.delete(path),
      );
      this.weights.set(path, created);
      entry = created;
    }
    entry.users.add(spec.versionId);
    try {
      return await entry.model;
    } catch (error) {
      throw new InferenceError(
        InferenceErrorCode.ModelLoadFailed,
        `model ${spec.name} (${spec.versionId}) failed to load from ${path}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  private async releaseWeights(path: string, versionId: string): Promise<void> {
    const entry = this.weights.get(path);
    if (entry === undefined) return;
    entry.users.delete(versionId);
    if (entry.users.size > 0) return;
    this.weights.delete(path);
    await (await entry.model.catch(() => undefined))?.dispose();
  }

  /** RAM held now: every loaded weight file once, plus each loaded version's context. */
  private usedBytes(): number {
    const weightBytes = [...this.weights.values()].reduce((sum, entry) => sum + (entry.loaded?.size ?? 0), 0);
    const contextBytes = [...this.versions.values()].reduce((sum, entry) => sum + (entry.loaded?.contextBytes ?? 0), 0);
    return weightBytes + contextBytes;
  }

  /** Unloads idle versions, least recently used first, until `bytes` more fit the budget. */
  private async makeRoom(forVersionId: string, bytes: number): Promise<void> {
    while (this.usedBytes() + bytes > this.budgetBytes) {
      const idle = [...this.versions.entries()]
        .filter(([versionId, entry]) => versionId !== forVersionId && entry.loaded !== undefined && !entry.loaded.busy)
        .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
      const victim = idle[0];
      if (victim === undefined) {
        throw new InferenceError(
          InferenceErrorCode.ModelUnavailable,
          `model ${forVersionId} needs ${Math.ceil(bytes / bytesPerMb)} MiB; the memory budget of ${this.config.memoryBudgetMb} MiB ` +
            'is held by models that are serving requests',
          { retryAfterSeconds: 1 },
        );
      }
      await this.unload(victim[0]);
    }
  }

  private overBudget(spec: LocalModelSpec, bytes: number): InferenceError {
    return new InferenceError(
      InferenceErrorCode.ModelLoadFailed,
      `model ${spec.name} (${spec.versionId}) needs ${Math.ceil(bytes / bytesPerMb)} MiB, more than the memory budget of ` +
        `${this.config.memoryBudgetMb} MiB (ATTEST_LLAMA_MEMORY_BUDGET_MB)`,
    );
  }
}

function weightPaths(spec: LocalModelSpec): string[] {
  const speculative = spec.source.speculative;
  return speculative?.kind === 'draft_model' ? [spec.source.path, speculative.path] : [spec.source.path];
}
