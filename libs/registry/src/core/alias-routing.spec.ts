import { parseAliasTargets, pickWeighted } from './alias-routing';
import { RegistryErrorCode } from './registry.errors';

describe('alias routing', () => {
  describe(parseAliasTargets.name, () => {
    it('reads MODEL@VERSION[:WEIGHT], weight 1 by default', () => {
      expect(parseAliasTargets(['llama-3.2-1b@3:90', 'llama-3.2-1b@4:10', 'qwen@1'])).toEqual([
        { ref: { model: 'llama-3.2-1b', version: 3 }, weight: 90 },
        { ref: { model: 'llama-3.2-1b', version: 4 }, weight: 10 },
        { ref: { model: 'qwen', version: 1 }, weight: 1 },
      ]);
    });

    it.each([
      [[], /at least one/],
      [['llama'], /not a model version/],
      [['llama@0'], /not a model version/],
      [['llama@3:-1'], /weight of llama@3/],
      [['llama@3:1001'], /weight of llama@3/],
      [['llama@3:0'], /at least one weight must be above 0/],
      [['llama@3:5', 'llama@3:5'], /llama@3 is named twice/],
    ])('refuses %j', (texts, message) => {
      expect(() => parseAliasTargets(texts)).toThrow(expect.objectContaining({ code: RegistryErrorCode.InvalidInput, message: expect.stringMatching(message) }));
    });
  });

  describe(pickWeighted.name, () => {
    const targets = [
      { name: 'stable', weight: 90 },
      { name: 'dark', weight: 0 },
      { name: 'canary', weight: 10 },
    ];

    it('splits [0, 1) by weight and never picks a zero weight', () => {
      expect(pickWeighted(targets, () => 0)?.name).toBe('stable');
      expect(pickWeighted(targets, () => 0.8999)?.name).toBe('stable');
      expect(pickWeighted(targets, () => 0.9)?.name).toBe('canary');
      expect(pickWeighted(targets, () => 0.99999)?.name).toBe('canary');
    });

    it('sends about the configured share to the canary', () => {
      let seed = 42;
      const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      const picks = Array.from({ length: 10_000 }, () => pickWeighted(targets, random)?.name);
      const canaryShare = picks.filter((name) => name === 'canary').length / picks.length;
      expect(canaryShare).toBeGreaterThan(0.08);
      expect(canaryShare).toBeLessThan(0.12);
    });

    it('picks nothing when no target has weight', () => {
      expect(pickWeighted([{ weight: 0 }], () => 0.5)).toBeUndefined();
      expect(pickWeighted([], () => 0.5)).toBeUndefined();
    });
  });
});
