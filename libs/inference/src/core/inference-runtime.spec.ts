import { InferenceRuntime } from './inference-runtime';
import { InferenceError, InferenceErrorCode } from './inference.errors';
import type { GenerationRequest } from './inference.types';
import { localModel, testConfig } from './testing-factories';

const referencePrompt = 'Once upon a time';
const referenceText = ', there was a little girl named Lily. She loved to play';
const longSystemPrompt = 'Lily and Tom went to the park with their mom and their dog. '.repeat(12);

function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof InferenceError ? error.code : String(error)),
  );
}

describe(InferenceRuntime.name, () => {
  let sut: InferenceRuntime;
  const model = localModel();

  beforeAll(() => {
    sut = new InferenceRuntime(testConfig({ sequencesPerModel: 2 }));
  });
  afterAll(() => sut.close());

  it('reproduces the greedy reference completion with exact token usage', async () => {
    const result = await sut.generate(model, { prompt: referencePrompt, temperature: 0, maxTokens: 16 });

    expect(result).toEqual({
      text: referenceText,
      finishReason: 'length',
      usage: { promptTokens: 7, completionTokens: 16, cachedPromptTokens: expect.any(Number) },
    });
  });

  it('streams the same text chunk by chunk', async () => {
    const chunks: string[] = [];

    const result = await sut.generate(model, { prompt: referencePrompt, temperature: 0, maxTokens: 16, onText: (c) => chunks.push(c) });

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(referenceText);
    expect(result.text).toBe(referenceText);
  });

  it('stops at a stop sequence and leaves it out of the text', async () => {
    const result = await sut.generate(model, { prompt: referencePrompt, temperature: 0, maxTokens: 16, stop: [' girl'] });

    expect(result.text).toBe(', there was a little');
    expect(result.finishReason).toBe('stop');
  });

  it('answers chat messages through a plain-text transcript without writing the user turn', async () => {
    const result = await sut.generate(model, {
      messages: [
        { role: 'system', content: 'You tell short stories.' },
        { role: 'user', content: 'Tell me about a cat.' },
      ],
      temperature: 0,
      maxTokens: 40,
    });

    expect(result.text).toMatch(/[a-z]+ [a-z]+/);
    expect(result.text).not.toContain('### Human');
    expect(result.usage.promptTokens).toBeGreaterThan(await sut.countTokens(model, 'You tell short stories. Tell me about a cat.'));
  });

  it('produces JSON that parses and follows the schema', async () => {
    const jsonSchema = {
      type: 'object',
      properties: { mood: { type: 'string', enum: ['happy', 'sad'] }, friends: { type: 'array', items: { type: 'string' }, maxItems: 2 } },
      required: ['mood', 'friends'],
    };

    const result = await sut.generate(model, { prompt: 'Lily was', temperature: 0, maxTokens: 200, jsonSchema });

    const parsed = JSON.parse(result.text) as { mood: string; friends: unknown[] };
    expect(['happy', 'sad']).toContain(parsed.mood);
    expect(Array.isArray(parsed.friends)).toBe(true);
  });

  it('repeats a sampled completion for the same seed', async () => {
    const request = { prompt: referencePrompt, temperature: 0.9, seed: 42, maxTokens: 24 };

    const first = await sut.generate(model, request);
    const second = await sut.generate(model, request);

    expect(second.text).toBe(first.text);
  });

  it('reuses the KV cache of a shared prompt prefix without changing the output', async () => {
    const first = await sut.generate(model, { prompt: `${longSystemPrompt}Lily`, temperature: 0, maxTokens: 8 });
    const second = await sut.generate(model, { prompt: `${longSystemPrompt}Tom`, temperature: 0, maxTokens: 8 });
    const uncached = new InferenceRuntime(testConfig({ prefixCache: false }));
    try {
      await uncached.generate(model, { prompt: `${longSystemPrompt}Lily`, temperature: 0, maxTokens: 8 });
      const cold = await uncached.generate(model, { prompt: `${longSystemPrompt}Tom`, temperature: 0, maxTokens: 8 });

      expect(first.usage.promptTokens).toBeGreaterThan(100);
      expect(second.usage.cachedPromptTokens).toBeGreaterThan(100);
      expect(cold.usage.cachedPromptTokens).toBe(0);
      expect(cold.text).toBe(second.text);
    } finally {
      await uncached.close();
    }
  });

  it('refuses a prompt longer than the context with CONTEXT_OVERFLOW and keeps serving', async () => {
    const code = await errorCode(sut.generate(model, { prompt: 'Lily ran to the big tree. '.repeat(100), maxTokens: 4 }));

    expect(code).toBe(InferenceErrorCode.ContextOverflow);
    expect((await sut.generate(model, { prompt: referencePrompt, temperature: 0, maxTokens: 16 })).text).toBe(referenceText);
  });

  it('stops at the end of the context with finish reason length when maxTokens asks for more', async () => {
    const prompt = 'Lily ran to the big tree. '.repeat(45);
    const promptTokens = (await sut.generate(model, { prompt, maxTokens: 1 })).usage.promptTokens;

    const result = await sut.generate(model, { prompt, temperature: 0, maxTokens: 10_000 });

    expect(result.finishReason).toBe('length');
    expect(result.usage.promptTokens + result.usage.completionTokens).toBe(512);
    expect(promptTokens).toBe(result.usage.promptTokens);
  });

  it('stops generating on abort and frees the sequence', async () => {
    const controller = new AbortController();
    const chunks: string[] = [];

    const result = await sut.generate(model, {
      prompt: referencePrompt,
      maxTokens: 400,
      signal: controller.signal,
      onText: (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 3) controller.abort();
      },
    });

    expect(result.finishReason).toBe('aborted');
    expect(result.usage.completionTokens).toBeLessThan(10);
    expect(sut.stats().loadedModels).toEqual([{ versionId: model.versionId, activeSequences: 0, queued: 0 }]);
  });

  it('stops a generation whose text consumer throws, fails it with that error, and keeps serving', async () => {
    let calls = 0;
    const failing = sut.generate(model, {
      prompt: referencePrompt,
      maxTokens: 400,
      onText: () => {
        calls += 1;
        throw new Error('the client socket is gone');
      },
    });

    await expect(failing).rejects.toMatchObject({ code: InferenceErrorCode.BackendFailed, message: expect.stringContaining('the client socket is gone') });
    expect(calls).toBe(1);
    expect(sut.stats().loadedModels).toEqual([{ versionId: model.versionId, activeSequences: 0, queued: 0 }]);
    expect((await sut.generate(model, { prompt: referencePrompt, temperature: 0, maxTokens: 16 })).text).toBe(referenceText);
  });

  it('embeds inputs through the embedding context with token counts', async () => {
    const result = await sut.embed(model, ['Once upon a time', 'The cat sat', 'Once upon a time']);

    expect(result.vectors).toHaveLength(3);
    expect(result.vectors[0]).toHaveLength(64);
    expect(result.vectors[2]).toEqual(result.vectors[0]);
    expect(result.vectors[1]).not.toEqual(result.vectors[0]);
    const [once, cat] = await Promise.all([sut.embed(model, ['Once upon a time']), sut.embed(model, ['The cat sat'])]);
    expect(once.promptTokens).toBeGreaterThan(3);
    expect(result.promptTokens).toBe(once.promptTokens * 2 + cat.promptTokens);
  });

  it('counts tokens of plain text', async () => {
    await expect(sut.countTokens(model, referencePrompt)).resolves.toBe(6);
  });

  it.each<[GenerationRequest, string]>([
    [{}, 'neither input'],
    [{ prompt: 'a', messages: [{ role: 'user', content: 'b' }] }, 'both inputs'],
    [{ prompt: 'a', maxTokens: 0 }, 'maxTokens 0'],
    [{ prompt: 'a', temperature: -1 }, 'a negative temperature'],
  ])('refuses %j (%s) with INVALID_REQUEST', async (request) => {
    await expect(errorCode(sut.generate(model, request))).resolves.toBe(InferenceErrorCode.InvalidRequest);
  });
});
