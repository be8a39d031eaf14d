import { API_KEY_PATTERN, apiKeyMatchesHash, generateApiKey, hashApiKey, maskedApiKey, parseApiKey } from './api-key-format';

describe('api key format', () => {
  it('generates distinct atk_ keys that parse back to their lookup id', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey());
    expect(new Set(keys.map((generated) => generated.key)).size).toBe(50);
    for (const generated of keys) {
      expect(generated.key).toMatch(API_KEY_PATTERN);
      expect(parseApiKey(generated.key)).toEqual(generated);
    }
  });

  it.each(['', 'atk_', 'sk-abc', `atk_${'a'.repeat(12)}_${'b'.repeat(31)}`, `atk_${'a'.repeat(11)}_${'b'.repeat(43)}`, `atk_${'a'.repeat(12)}_${'b'.repeat(42)}!`])(
    'rejects %p without a lookup',
    (candidate) => {
      expect(parseApiKey(candidate)).toBeNull();
    },
  );

  it('matches a key only against its own hash', () => {
    const first = generateApiKey().key;
    const second = generateApiKey().key;
    expect(hashApiKey(first)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(apiKeyMatchesHash(first, hashApiKey(first))).toBe(true);
    expect(apiKeyMatchesHash(second, hashApiKey(first))).toBe(false);
    expect(apiKeyMatchesHash(first, 'sha256:short')).toBe(false);
  });

  it('masks a key down to its lookup id', () => {
    expect(maskedApiKey('abcdefghijkl')).toBe('atk_abcdefghijkl_…');
  });
});
