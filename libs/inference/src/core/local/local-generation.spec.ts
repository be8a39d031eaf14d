import { storiesModelPath } from '../testing-factories';
import { runCompletion } from './local-generation';
import { createLlama, type Llama, type LlamaContext, type LlamaModel, type NodeLlamaCppModule } from './node-llama-cpp';
import { PromptRenderer } from './prompt-renderer';

/**
 * Counts the native decodes running on a context, and makes each last at least `minimumMs`, as a token of a real
 * model does (the demo model's take a fraction of a millisecond). `_ctx` is node-llama-cpp's private binding object
 * (the version is pinned exactly); every batch the context evaluates goes through its `decodeBatch`.
 */
function watchDecodes(context: LlamaContext, minimumMs: number): { readonly inFlight: number; readonly started: number } {
  const holder = context as unknown as { _ctx: Record<string | symbol, unknown> };
  const binding = holder._ctx;
  const state = { inFlight: 0, started: 0 };
  holder._ctx = new Proxy(binding, {
    get(target, property) {
      const value = target[property];
      if (typeof value !== 'function') return value;
      if (property !== 'decodeBatch') return value.bind(target);
      return async (...args: unknown[]) => {
        state.inFlight++;
        state.started++;
        try {
          const [result] = await Promise.all([
            (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
            new Promise((resolve) => setTimeout(resolve, minimumMs)),
          ]);
          return result;
        } finally {
          state.inFlight--;
        }
      };
    },
  });
  return state;
}

describe(runCompletion.name, () => {
  let module: NodeLlamaCppModule;
  let llama: Llama;
  let weights: LlamaModel;

  beforeAll(async () => {
    ({ module, llama } = await createLlama(1));
    weights = await llama.loadModel({ modelPath: storiesModelPath, gpuLayers: 0 });
  });
  afterAll(() => weights.dispose());

  it('hands each piece of text to the caller while the model already decodes the next token', async () => {
    // More sequences than generations, as in the gateway: node-llama-cpp dispatches a decode at once only when every
    // sequence of the context has queued one, and otherwise on the event loop's next check phase.
    const context = await weights.createContext({ contextSize: 256, sequences: 2, threads: 1 });
    try {
      const decodes = watchDecodes(context, 25);
      const sequence = context.getSequence();
      const renderer = new PromptRenderer(module, weights);
      const prompt = renderer.render({ prompt: 'Once upon a time' });
      const deliveries: { decoding: boolean; decodesStarted: number }[] = [];

      const result = await runCompletion(
        { sequence, completion: new module.LlamaCompletion({ contextSequence: sequence }) },
        prompt,
        renderer.withBos(prompt.tokens),
        { prompt: 'Once upon a time', temperature: 0, maxTokens: 48, onText: () => deliveries.push({ decoding: decodes.inFlight > 0, decodesStarted: decodes.started }) },
        undefined,
      );

      // Pieces delivered before the generation's last decode: the caller's work on them (redaction, SSE framing, the
      // socket write) must overlap the next token's decode instead of holding its dispatch back.
      const midStream = deliveries.filter((delivery) => delivery.decodesStarted < decodes.started);
      const overlapped = midStream.filter((delivery) => delivery.decoding).length;
      expect(result.usage.completionTokens).toBe(48);
      expect(midStream.length).toBeGreaterThan(30);
      expect(overlapped).toBe(midStream.length);
    } finally {
      await context.dispose();
    }
  });
});
