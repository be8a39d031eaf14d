import { effectiveMaxTokens } from './token-budget';

describe(effectiveMaxTokens.name, () => {
  it('uses the requested value when nothing caps it', () => {
    expect(effectiveMaxTokens({ requested: 50, fallback: 256 })).toBe(50);
  });

  it('falls back when the request names no limit', () => {
    expect(effectiveMaxTokens({ requested: null, fallback: 256 })).toBe(256);
  });

  it('never exceeds a policy cap or the model limit', () => {
    expect(effectiveMaxTokens({ requested: 1000, policyCap: 100, modelLimit: 500, fallback: 256 })).toBe(100);
    expect(effectiveMaxTokens({ requested: 1000, modelLimit: 300, fallback: 256 })).toBe(300);
  });
});
