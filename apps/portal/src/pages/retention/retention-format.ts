import type { LegalHoldView, PartitionStatusView } from '../../api/retention-schemas';

const DAY_MS = 86_400_000;

/** `2026-05-01` from an ISO instant (UTC: audit months and holds are UTC). */
export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** The midnight (UTC) that starts a picked day, as the API wants it. */
export function startOfUtcDay(day: string): string {
  return new Date(`${day}T00:00:00.000Z`).toISOString();
}

/** The midnight after a picked day: the exclusive end of a hold that covers that day. */
export function endOfUtcDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString();
}

export function monthName(iso: string): string {
  return new Date(iso).toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The days a hold covers, its exclusive end shown as the last day it keeps. */
export function holdSpan(hold: Pick<LegalHoldView, 'coversFrom' | 'coversTo'>): string {
  const from = hold.coversFrom ? `from ${utcDay(hold.coversFrom)}` : 'from the start of the log';
  const to = hold.coversTo ? `through ${utcDay(new Date(Date.parse(hold.coversTo) - 1).toISOString())}` : 'onwards, open-ended';
  return `${from} ${to} (UTC)`;
}

export const STATUS_TEXT: Record<PartitionStatusView, string> = {
  current: 'Open: the month has not ended',
  retained: 'Retained',
  due: 'Due: dropped at the next run',
  held: 'Held: due, kept by a legal hold',
  default: 'Catch-all for events outside every month',
};
