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
  const kept: PiiFinding[] = [];
  for (const candidate of ranked) {
    if (candidate.end <= candidate.start) continue;
    if (kept.some((other) => candidate.start < other.end && other.start < candidate.end)) continue;
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Counts findings per entity type, for metrics and audit records (values never leave the engine). */
export function countFindings(findings: readonly PiiFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.type] = (counts[finding.type] ?? 0) + 1;
  return counts;
}
