import { localTimeContext } from '@attest/policy';

type LocalTime = ReturnType<typeof localTimeContext>;

/**
 * The policy context's local weekday and minute, computed once per time zone and UTC minute instead of on every
 * request (`Intl.DateTimeFormat.formatToParts` is among the costlier steps of a decision). Exact: every time zone in
 * use today is offset from UTC by whole minutes, so the local minute cannot change within a UTC minute.
 */
export class LocalTimeMemo {
  private readonly byZone = new Map<string, { minute: number; value: LocalTime }>();

  of(now: Date, timeZone: string): LocalTime {
    const minute = Math.floor(now.getTime() / 60_000);
    const kept = this.byZone.get(timeZone);
    if (kept && kept.minute === minute) return kept.value;
    const value = localTimeContext(now, timeZone);
    // A tenant's zone rarely changes; starting over bounds the map if zones churn.
    if (this.byZone.size >= 1_000) this.byZone.clear();
    this.byZone.set(timeZone, { minute, value });
    return value;
  }
}
