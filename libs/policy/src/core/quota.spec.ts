import { quotaWindow, retryAfterSeconds } from './quota';

describe(quotaWindow.name, () => {
  it('uses the UTC minute for request rates and the UTC day for token budgets', () => {
    const now = new Date('2026-11-25T10:42:17.500Z');
    expect(quotaWindow('requests_per_minute', now)).toEqual({ start: new Date('2026-11-25T10:42:00Z'), end: new Date('2026-11-25T10:43:00Z') });
    expect(quotaWindow('tokens_per_day', now)).toEqual({ start: new Date('2026-11-25T00:00:00Z'), end: new Date('2026-11-26T00:00:00Z') });
  });
});

describe(retryAfterSeconds.name, () => {
  it('rounds the time left in the window up, and is never zero', () => {
    expect(retryAfterSeconds('requests_per_minute', new Date('2026-11-25T10:42:17.500Z'))).toBe(43);
    expect(retryAfterSeconds('requests_per_minute', new Date('2026-11-25T10:42:59.999Z'))).toBe(1);
    expect(retryAfterSeconds('tokens_per_day', new Date('2026-11-25T23:00:00Z'))).toBe(3600);
  });
});
