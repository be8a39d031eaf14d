/**
 * Fixed-window rate limits for the endpoints an attacker would hammer: sign-in (guessing keys, flooding the IdP) and
 * API key administration (a stolen admin session minting keys). Pure: the window arithmetic and the rules.
 */
export type RateLimitBucket = 'sign_in' | 'key_admin';

export interface RateLimitRule {
  bucket: RateLimitBucket;
  /** Requests allowed per window and subject. */
  limit: number;
  windowMs: number;
}

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** The fixed window `now` falls in. */
export function rateLimitWindow(now: Date, windowMs: number): { start: Date; end: Date } {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start: new Date(start), end: new Date(start + windowMs) };
}

/** Whole seconds until the window ends (at least 1): the Retry-After of the 429. */
export function rateLimitRetryAfter(now: Date, windowMs: number): number {
  return Math.max(1, Math.ceil((rateLimitWindow(now, windowMs).end.getTime() - now.getTime()) / 1000));
}
