/** Caps that may each limit generation; the smallest defined one wins. */
export interface TokenCaps {
  requested?: number | null;
  policyCap?: number;
  modelLimit?: number;
  fallback: number;
}

/** The number of tokens a request may generate: what it asked for, never above a policy or model cap. */
export function effectiveMaxTokens(caps: TokenCaps): number {
  const candidates = [caps.requested ?? caps.fallback, caps.policyCap, caps.modelLimit].filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0,
  );
  return Math.min(...candidates);
}
