import { localTimeContext } from './local-time';
import { PolicyErrorCode } from './policy.errors';

describe(localTimeContext.name, () => {
  it('gives the ISO weekday and minute of the day in the time zone', () => {
    // Wednesday 2026-11-25 08:30 UTC is 09:30 in Berlin (CET, UTC+1).
    expect(localTimeContext(new Date('2026-11-25T08:30:00Z'), 'Europe/Berlin')).toEqual({ localWeekday: 3, localMinute: 570 });
    expect(localTimeContext(new Date('2026-11-25T08:30:00Z'), 'UTC')).toEqual({ localWeekday: 3, localMinute: 510 });
  });

  it('crosses midnight into the previous day west of UTC and maps Sunday to 7', () => {
    // Monday 2026-11-30 03:00 UTC is Sunday 22:00 in New York (EST, UTC-5).
    expect(localTimeContext(new Date('2026-11-30T03:00:00Z'), 'America/New_York')).toEqual({ localWeekday: 7, localMinute: 1320 });
  });

  it('follows daylight saving time', () => {
    // 2026-07-01 08:30 UTC is 10:30 in Berlin (CEST, UTC+2).
    expect(localTimeContext(new Date('2026-07-01T08:30:00Z'), 'Europe/Berlin').localMinute).toBe(630);
  });

  it('refuses an unknown time zone with a stable code', () => {
    expect(() => localTimeContext(new Date(), 'Mars/Olympus')).toThrow(expect.objectContaining({ code: PolicyErrorCode.TimeZoneInvalid }));
  });
});
