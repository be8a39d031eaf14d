import { parseRequestedModel, parseVersionRef } from './model-reference';
import { RegistryErrorCode } from './registry.errors';

describe(parseRequestedModel.name, () => {
  it('reads a pinned version, an alias or a model name', () => {
    expect(parseRequestedModel('llama-3.2-1b@3')).toEqual({ kind: 'pinned', model: 'llama-3.2-1b', version: 3 });
    expect(parseRequestedModel('summarizer')).toEqual({ kind: 'name', name: 'summarizer' });
    expect(parseRequestedModel('team:summarizer')).toEqual({ kind: 'name', name: 'team:summarizer' });
  });

  it.each(['', '@3', 'llama@', 'llama@03', 'llama@x', 'llama@99999999999', '../etc/passwd', 'a'.repeat(129), 'name with space'])(
    'treats %j as a model that does not exist',
    (requested) => {
      expect(() => parseRequestedModel(requested)).toThrow(expect.objectContaining({ code: RegistryErrorCode.ModelNotFound }));
    },
  );

  it('refuses a malformed version reference as invalid input', () => {
    expect(() => parseVersionRef('llama')).toThrow(expect.objectContaining({ code: RegistryErrorCode.InvalidInput }));
    expect(parseVersionRef('llama@12')).toEqual({ model: 'llama', version: 12 });
  });
});
