import { localTimeContext } from '@attest/policy';
import { LocalTimeMemo } from './local-time-memo';

describe(LocalTimeMemo.name, () => {
  const zones = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Eucla'];

  it('answers what localTimeContext answers, at every second of minutes across a daylight-saving change', () => {
    const sut = new LocalTimeMemo();
    // 2026-03-29 01:00 UTC: Europe/Berlin moves from +01:00 to +02:00.
    const start = Date.parse('2026-03-29T00:58:00Z');
    for (let at = start; at < start + 4 * 60_000; at += 1_000) {
      for (const zone of zones) expect(sut.of(new Date(at), zone)).toEqual(localTimeContext(new Date(at), zone));
    }
  });

  it('computes once per zone and minute', () => {
    const sut = new LocalTimeMemo();
    const first = sut.of(new Date('2026-11-25T08:30:05Z'), 'Europe/Berlin');
    expect(sut.of(new Date('2026-11-25T08:30:59Z'), 'Europe/Berlin')).toBe(first);
    expect(sut.of(new Date('2026-11-25T08:31:00Z'), 'Europe/Berlin')).toEqual({ localWeekday: 3, localMinute: 571 });
  });
});
