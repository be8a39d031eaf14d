import { InferenceRuntime } from '../inference-runtime';
import type { GenerationResult, ModelSpec, SpeculativeDecoding } from '../inference.types';
import { localModel, storiesModelPath, testConfig } from '../testing-factories';

const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. ';
/** A prompt the answer keeps quoting: the case input lookup is made for. */
const quotingPrompt = `${story}${story}${story}Once upon a time,`;

function withSpeculation(versionId: string, speculative: SpeculativeDecoding): ModelSpec {
  const base = localModel({ versionId });
  return { ...base, source: { kind: 'local_gguf', path: storiesModelPath, speculative } };
}

describe('speculative decoding', () => {
  let sut: InferenceRuntime;
  let plain: GenerationResult;
  const request = { prompt: quotingPrompt, temperature: 0, maxTokens: 48 };

  beforeAll(async () => {
    sut = new InferenceRuntime(testConfig({ sequencesPerModel: 1 }));
    plain = await sut.generate(localModel({ versionId: 'plain' }), request);
  });
  afterAll(() => sut.close());

  it.each<[string, SpeculativeDecoding]>([
    ['input lookup', { kind: 'input_lookup', maxTokens: 4 }],
    ['a draft model', { kind: 'draft_model', path: storiesModelPath, maxTokens: 4 }],
  ])('with %s leaves the output and its exact usage unchanged', async (name, speculative) => {
    const result = await sut.generate(withSpeculation(name, speculative), request);

    expect(result.text).toBe(plain.text);
    expect(result.usage).toEqual(plain.usage);
    expect(sut.stats().loadedModels.find((m) => m.versionId === name)?.tokenPredictions).toBeDefined();
  });

  it('confirms input-lookup guesses where the answer quotes the prompt', async () => {
    const model = withSpeculation('lookup-stats', { kind: 'input_lookup', maxTokens: 4 });

    await sut.generate(model, request);

    expect(sut.stats().loadedModels.find((m) => m.versionId === 'lookup-stats')?.tokenPredictions?.validated).toBeGreaterThan(0);
  });
});
