import { type PiiFinding } from '../pii.types';

/**
 * Keeps, among overlapping findings, the best-scored span (ties: the longer, then the earlier one), so every character
 * belongs to at most one finding. Greedy over findings sorted by score is exact for the "best score wins" rule.
 *
 * @example
 * resolveOverlaps([{ type: 'URL', start: 0, end: 10, score: 0.6, recognizer: 'url' },
 *                  { type: 'EMAIL_ADDRESS', start: 0, end: 12, score: 1, recognizer: 'email' }]); // the e-mail
 */
export function resolveOverlaps(findings: readonly PiiFinding[]): PiiFinding[] {
  const ranked = [...findings].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  // Kept spans never overlap, so sorted by start they are sorted by end too: a candidate can only collide with its
  // neighbours at its insertion point. A binary search keeps hostile text with thousands of findings (one e-mail
  // address repeated 14,000 times) from costing a quadratic scan outside the analysis time budget.
  const kept: PiiFinding[] = [];
  for (const candidate of ranked) {
    if (candidate.end <= candidate.start) continue;
    const index = firstStartingAtOrAfter(kept, candidate.start);
    const before = kept[index - 1];
    const after = kept[index];
    if ((before && before.end > candidate.start) || (after && after.start < candidate.end)) continue;
    kept.splice(index, 0, candidate);
  }
  return kept;
}

/** Index of the first span in `sorted` (by start) that starts at or after `start`. */
function firstStartingAtOrAfter(sorted: readonly PiiFinding[], start: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.start ?? 0) < start) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Counts findings per entity type, for metrics and audit records (values never leave the engine). */
export function countFindings(findings: readonly Pick<PiiFinding, 'type'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.type] = (counts[finding.type] ?? 0) + 1;
  return counts;
}
