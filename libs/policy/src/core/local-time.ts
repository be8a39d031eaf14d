import { PolicyError, PolicyErrorCode } from './policy.errors';

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
// Building an Intl.DateTimeFormat costs far more than using one: keep one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch (error) {
      throw new PolicyError(PolicyErrorCode.TimeZoneInvalid, `unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin)`, [], { cause: error });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The local weekday (ISO 8601: 1 = Monday ... 7 = Sunday) and minute of the day (0..1439) of `now` in an IANA time
 * zone, daylight saving included: what business-hours policies compare against.
 *
 * @example
 * localTimeContext(new Date('2026-11-25T08:30:00Z'), 'Europe/Berlin'); // { localWeekday: 3, localMinute: 570 }
 */
export function localTimeContext(now: Date, timeZone: string): { localWeekday: number; localMinute: number } {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(now)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { localWeekday: weekday, localMinute: hour * 60 + minute };
}
