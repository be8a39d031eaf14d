import { InferenceRuntime } from '../inference-runtime';
import type { GenerationRequest } from '../inference.types';
import { localModel, storiesModelPath, testConfig } from '../testing-factories';
import { createLlama, loadNodeLlamaCppInternals, type Llama, type LlamaModel } from './node-llama-cpp';
import { SequenceTrimmer } from './sequence-trimmer';

const model = localModel();

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('SequenceTrimmer', () => {
  describe('through the runtime', () => {
    it('serves a new request on a reused sequence while another generation on the context keeps running', async () => {
      const sut = new InferenceRuntime(testConfig({ sequencesPerModel: 3 }));
      const controller = new AbortController();
      try {
        // Every sequence holds old tokens, so each next request has something to erase first.
        await Promise.all(
          ['Tom had a red ball', 'The sun was hot', 'A big dog ran'].map((prompt) => sut.generate(model, { prompt, temperature: 0, maxTokens: 12 })),
        );
        const long = (prompt: string) => {
          let started: () => void = () => undefined;
          const firstText = new Promise<void>((resolve) => (started = resolve));
          const request: GenerationRequest = { prompt, temperature: 0.8, seed: 1, signal: controller.signal, onText: () => started() };
          return { running: sut.generate(model, request), firstText };
        };
        const generations = [long('Once upon a time'), long('One day a girl')];
        await Promise.all(generations.map((g) => g.firstText));
        const running = Promise.all(generations.map((g) => g.running));
        const longEnded = settled(running);

        const next = await within(sut.generate(model, { prompt: 'Lily saw a cat', temperature: 0, maxTokens: 6 }), 20_000);

        expect(next).not.toBe('timed out');
        expect(next !== 'timed out' && next.usage.completionTokens).toBe(6);
        expect(longEnded()).toBe(false);
        controller.abort();
        expect((await running).map((result) => result.finishReason)).toEqual(['aborted', 'aborted']);
      } finally {
        controller.abort();
        await sut.close();
      }
    });

    it('gives the same text on a trimmed sequence as on a fresh one, with and without the prefix cache', async () => {
      const reused = new InferenceRuntime(testConfig({ sequencesPerModel: 1 }));
      const uncached = new InferenceRuntime(testConfig({ sequencesPerModel: 1, prefixCache: false }));
      const fresh = new InferenceRuntime(testConfig({ sequencesPerModel: 1 }));
      const request = { prompt: 'Lily and Tom went to the park. Lily saw', temperature: 0, maxTokens: 16 };
      try {
        await reused.generate(model, { prompt: 'Lily and Tom went to the shop', temperature: 0, maxTokens: 20 });
        await uncached.generate(model, { prompt: 'Lily and Tom went to the shop', temperature: 0, maxTokens: 20 });

        const fromReused = await reused.generate(model, request);
        const fromUncached = await uncached.generate(model, request);
        const fromFresh = await fresh.generate(model, request);

        expect(fromReused.usage.cachedPromptTokens).toBeGreaterThan(4);
        expect(fromUncached.usage.cachedPromptTokens).toBe(0);
        expect(fromFresh.text.length).toBeGreaterThan(0);
        expect(fromReused.text).toBe(fromFresh.text);
        expect(fromUncached.text).toBe(fromFresh.text);
      } finally {
        await Promise.all([reused.close(), uncached.close(), fresh.close()]);
      }
    });
  });

  describe('on a context of its own', () => {
    let llama: Llama;
    let weights: LlamaModel;

    beforeAll(async () => {
      llama = (await createLlama(1)).llama;
      weights = await llama.loadModel({ modelPath: storiesModelPath, gpuLayers: 0 });
    });
    afterAll(() => weights.dispose());

    async function contextWithTrimmer() {
      const trimmer = new SequenceTrimmer(await loadNodeLlamaCppInternals());
      const context = await weights.createContext({ contextSize: 256, sequences: 1, threads: 1, batching: { itemPrioritizationStrategy: trimmer.prioritize } });
      trimmer.attach(context);
      return { trimmer, context, sequence: context.getSequence() };
    }

    it('holds the same lock as node-llama-cpp: its own erase waits while the trimmer’s lock is held', async () => {
      const { withLock } = await loadNodeLlamaCppInternals();
      const { context, sequence } = await contextWithTrimmer();
      try {
        await sequence.evaluateWithoutGeneratingNewTokens(weights.tokenize('Tom had a ball'));
        let release: () => void = () => undefined;
        const held = withLock([context, 'context'], () => new Promise<void>((resolve) => (release = resolve)));
        await new Promise((resolve) => setImmediate(resolve));
        const cleared = settled(sequence.clearHistory());

        await new Promise((resolve) => setTimeout(resolve, 50));
        const clearedWhileHeld = cleared();
        release();
        await held;
        await new Promise((resolve) => setTimeout(resolve, 10));

        expect(clearedWhileHeld).toBe(false);
        expect(cleared()).toBe(true);
        expect(sequence.nextTokenIndex).toBe(0);
      } finally {
        await context.dispose();
      }
    });

    it('cuts a sequence to a prefix or to nothing, and the cache then continues from there', async () => {
      const { trimmer, context, sequence } = await contextWithTrimmer();
      try {
        const tokens = weights.tokenize('Lily and Tom went to the park');
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);

        await trimmer.trim(sequence, 3);
        const afterPrefix = { next: sequence.nextTokenIndex, held: [...sequence.contextTokens] };
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(3));
        const afterRefill = [...sequence.contextTokens];
        await trimmer.trim(sequence, 0);

        expect(afterPrefix).toEqual({ next: 3, held: tokens.slice(0, 3) });
        expect(afterRefill).toEqual(tokens);
        expect(sequence.nextTokenIndex).toBe(0);
        expect(sequence.contextTokens).toEqual([]);
      } finally {
        await context.dispose();
      }
    });
  });
});
