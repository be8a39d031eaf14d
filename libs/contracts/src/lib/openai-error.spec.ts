import { openAiError, openAiErrorSchema } from './openai-error';

describe(openAiError.name, () => {
  it('builds the envelope that OpenAI clients parse', () => {
    const sut = openAiError('Unknown model "x".', 'not_found_error', 'model_not_found', 'model');
    expect(openAiErrorSchema.parse(sut)).toEqual({
      error: { message: 'Unknown model "x".', type: 'not_found_error', param: 'model', code: 'model_not_found' },
    });
  });

  it('rejects an envelope without a message', () => {
    expect(openAiErrorSchema.safeParse({ error: { type: 'x', param: null, code: null } }).success).toBe(false);
  });
});
