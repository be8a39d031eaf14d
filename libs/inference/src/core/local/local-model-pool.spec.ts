import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceRuntime } from '../inference-runtime';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { GenerationRequest, ModelSpec } from '../inference.types';
import { writeLoraAdapterGguf } from './lora-adapter-writer';
import { localModel, storiesModelPath, storiesSha256, testConfig } from '../testing-factories';

function errorOf(promise: Promise<unknown>): Promise<InferenceError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof InferenceError ? error : undefined),
  );
}

/** A generation that runs until aborted, and resolves `started` once its first text arrives. */
function longGeneration(runtime: InferenceRuntime, versionId: string) {
  const controller = new AbortController();
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const request: GenerationRequest = { prompt: 'Once upon a time', maxTokens: 400, signal: controller.signal, onText: () => markStarted() };
  const done = runtime.generate(localModel({ versionId }), request);
  return { started, done, abort: () => controller.abort() };
}

type LocalSource = Extract<ModelSpec['source'], { kind: 'local_gguf' }>;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('LocalModelPool (through InferenceRuntime)', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'attest-inference-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('loads a file whose sha256 matches and refuses one that differs, before loading it', async () => {
    const sut = new InferenceRuntime(testConfig());
    const tampered = join(folder, 'tampered.gguf');
    await copyFile(storiesModelPath, tampered);
    await writeFile(tampered, 'x', { flag: 'a' });
    try {
      const good = await sut.generate(localModel({ sha256: storiesSha256 }), { prompt: 'Once', maxTokens: 2 });
      const refused = await errorOf(sut.generate(localModel({ versionId: 'tampered', path: tampered, sha256: storiesSha256 }), { prompt: 'Once' }));

      expect(good.usage.completionTokens).toBe(2);
      expect(refused?.code).toBe(InferenceErrorCode.IntegrityMismatch);
      expect(sut.stats().loadedModels.map((m) => m.versionId)).toEqual(['stories-v1']);
      await expect(sut.isLoadable(localModel({ versionId: 'tampered', path: tampered, sha256: storiesSha256 }))).resolves.toBe(false);
      await expect(sut.isLoadable(localModel({ versionId: 'fresh', sha256: storiesSha256 }))).resolves.toBe(true);
    } finally {
      await sut.close();
    }
  });

  it('reports a missing or broken file as MODEL_LOAD_FAILED', async () => {
    const sut = new InferenceRuntime(testConfig());
    const broken = join(folder, 'broken.gguf');
    await writeFile(broken, 'not a gguf file');
    try {
      const missing = await errorOf(sut.generate(localModel({ path: join(folder, 'missing.gguf') }), { prompt: 'a' }));
      const unreadable = await errorOf(sut.generate(localModel({ versionId: 'broken', path: broken }), { prompt: 'a' }));

      expect(missing?.code).toBe(InferenceErrorCode.ModelLoadFailed);
      expect(unreadable?.code).toBe(InferenceErrorCode.ModelLoadFailed);
      expect(sut.stats().loadedModels).toEqual([]);
    } finally {
      await sut.close();
    }
  });

  it('refuses with QUEUE_FULL and a Retry-After once every sequence is busy and the queue is full', async () => {
    const sut = new InferenceRuntime(testConfig({ sequencesPerModel: 1, maxQueue: 1 }));
    try {
      const running = longGeneration(sut, 'q');
      await running.started;
      const queued = sut.generate(localModel({ versionId: 'q' }), { prompt: 'Once', maxTokens: 2 });
      await until(() => sut.stats().loadedModels[0]?.queued === 1);
      const statsWhileFull = sut.stats().loadedModels;

      const refused = await errorOf(sut.generate(localModel({ versionId: 'q' }), { prompt: 'Once', maxTokens: 2 }));
      running.abort();

      expect(statsWhileFull).toEqual([{ versionId: 'q', activeSequences: 1, queued: 1 }]);
      expect(refused?.code).toBe(InferenceErrorCode.QueueFull);
      expect(refused?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((await running.done).finishReason).toBe('aborted');
      expect((await queued).usage.completionTokens).toBe(2);
    } finally {
      await sut.close();
    }
  });

  it('runs concurrent requests on separate sequences of one context', async () => {
    const sut = new InferenceRuntime(testConfig({ sequencesPerModel: 4 }));
    try {
      const request = { prompt: 'Once upon a time', temperature: 0, maxTokens: 16 };
      const results = await Promise.all([1, 2, 3, 4].map(() => sut.generate(localModel(), request)));

      expect(new Set(results.map((r) => r.text))).toEqual(new Set([', there was a little girl named Lily. She loved to play']));
      expect(sut.stats().loadedModels).toEqual([{ versionId: 'stories-v1', activeSequences: 0, queued: 0 }]);
    } finally {
      await sut.close();
    }
  });

  it('unloads the least recently used idle model to stay within the memory budget', async () => {
    // stories260k holds 1.1 MiB of weights and 3.3 MiB of KV cache (4 sequences of 512 tokens): two versions sharing
    // the weights need 7.7 MiB, more than 7.
    const sut = new InferenceRuntime(testConfig({ memoryBudgetMb: 7 }));
    const loaded = () => sut.stats().loadedModels.map((m) => m.versionId);
    try {
      await sut.generate(localModel({ versionId: 'a' }), { prompt: 'Once', maxTokens: 1 });
      const afterA = loaded();
      await sut.generate(localModel({ versionId: 'b' }), { prompt: 'Once', maxTokens: 1 });
      const afterB = loaded();
      await sut.generate(localModel({ versionId: 'a' }), { prompt: 'Once', maxTokens: 1 });

      expect(afterA).toEqual(['a']);
      expect(afterB).toEqual(['b']);
      expect(loaded()).toEqual(['a']);
    } finally {
      await sut.close();
    }
  });

  it('never unloads a model that is serving: the newcomer gets MODEL_UNAVAILABLE', async () => {
    const sut = new InferenceRuntime(testConfig({ memoryBudgetMb: 7 }));
    try {
      const running = longGeneration(sut, 'busy');
      await running.started;

      const refused = await errorOf(sut.generate(localModel({ versionId: 'newcomer' }), { prompt: 'Once', maxTokens: 1 }));
      running.abort();
      await running.done;

      expect(refused?.code).toBe(InferenceErrorCode.ModelUnavailable);
      expect(refused?.retryAfterSeconds).toBe(1);
    } finally {
      await sut.close();
    }
  });

  it('applies a LoRA adapter per version on one shared copy of the base weights', async () => {
    const sut = new InferenceRuntime(testConfig());
    const adapter = join(folder, 'lora.gguf');
    const targets = [0, 1, 2, 3, 4].map((block) => ({ tensor: `blk.${block}.ffn_down.weight`, inputs: 172, outputs: 64 }));
    await writeLoraAdapterGguf(adapter, { architecture: 'llama', rank: 4, alpha: 4, seed: 7, magnitude: 0.3, targets });
    const base = localModel({ versionId: 'base' });
    const variant: ModelSpec = { ...base, versionId: 'variant', source: { ...(base.source as LocalSource), loraAdapters: [{ path: adapter }] } };
    const request = { prompt: 'Once upon a time', temperature: 0, maxTokens: 16 };
    try {
      const [baseText, variantText] = await Promise.all([sut.generate(base, request), sut.generate(variant, request)]);

      expect(baseText.text).toBe(', there was a little girl named Lily. She loved to play');
      expect(variantText.text).not.toBe(baseText.text);
      expect(sut.stats().loadedModels.map((m) => m.versionId).sort()).toEqual(['base', 'variant']);
      expect(sut.stats().loadedWeightFiles).toEqual([storiesModelPath]);
    } finally {
      await sut.close();
    }
  });

  it('refuses a broken LoRA adapter with MODEL_LOAD_FAILED and frees the weights', async () => {
    const sut = new InferenceRuntime(testConfig());
    const adapter = join(folder, 'broken-lora.gguf');
    await writeFile(adapter, 'not an adapter');
    const base = localModel({ versionId: 'broken-variant' });
    const variant: ModelSpec = { ...base, source: { ...(base.source as LocalSource), loraAdapters: [{ path: adapter }] } };
    try {
      const error = await errorOf(sut.generate(variant, { prompt: 'Once', maxTokens: 1 }));

      expect(error?.code).toBe(InferenceErrorCode.ModelLoadFailed);
      expect(sut.stats()).toEqual({ loadedModels: [], loadedWeightFiles: [] });
    } finally {
      await sut.close();
    }
  });

  it('refuses a model larger than the whole budget with MODEL_LOAD_FAILED', async () => {
    const sut = new InferenceRuntime(testConfig({ memoryBudgetMb: 1 }));
    try {
      await expect(errorOf(sut.generate(localModel(), { prompt: 'a' }))).resolves.toMatchObject({ code: InferenceErrorCode.ModelLoadFailed });
    } finally {
      await sut.close();
    }
  });

  it('fails requests after close with MODEL_UNAVAILABLE', async () => {
    const sut = new InferenceRuntime(testConfig());
    await sut.close();

    await expect(errorOf(sut.generate(localModel(), { prompt: 'a' }))).resolves.toMatchObject({ code: InferenceErrorCode.ModelUnavailable });
  });
});
