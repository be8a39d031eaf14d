import { rateLimitRetryAfter, rateLimitWindow } from './rate-limit';

describe('rate limit windows', () => {
  it('are fixed UTC minutes', () => {
    const { start, end } = rateLimitWindow(new Date('2026-11-25T10:15:42.500Z'), 60_000);
    expect(start.toISOString()).toBe('2026-11-25T10:15:00.000Z');
    expect(end.toISOString()).toBe('2026-11-25T10:16:00.000Z');
  });

  it('tell the caller to come back when the window ends, never in 0 seconds', () => {
    expect(rateLimitRetryAfter(new Date('2026-11-25T10:15:42.500Z'), 60_000)).toBe(18);
    expect(rateLimitRetryAfter(new Date('2026-11-25T10:15:59.999Z'), 60_000)).toBe(1);
  });
});
