import { type PiiFinding } from '../pii.types';

/** How many words before and after a finding count as its context (Presidio uses 5 before, 0 after by default). */
const wordsBefore = 5;
const wordsAfter = 2;
/** Presidio's LemmaContextAwareEnhancer defaults: +0.35, and at least 0.4 once a context word is seen. */
const contextBoost = 0.35;
const contextFloor = 0.4;

const wordPattern = /[\p{L}\p{N}#-]+/gu;

/**
 * Raises the score of findings that have one of their recognizer's context words nearby ("SSN: 078-...").
 *
 * @example
 * enhanceWithContext('my ssn is 123-45-6789', findings, new Map([['us-ssn', new Set(['ssn'])]]));
 */
export function enhanceWithContext(
  text: string,
  findings: PiiFinding[],
  contextWordsByRecognizer: ReadonlyMap<string, ReadonlySet<string>>,
): PiiFinding[] {
  return findings.map((finding) => {
    const words = contextWordsByRecognizer.get(finding.recognizer);
    if (!words || words.size === 0 || finding.score >= 1) return finding;
    const before = (text.slice(Math.max(0, finding.start - 80), finding.start).toLowerCase().match(wordPattern) ?? []).slice(-wordsBefore);
    const after = (text.slice(finding.end, finding.end + 40).toLowerCase().match(wordPattern) ?? []).slice(0, wordsAfter);
    const seen = [...before, ...after].some((word) => words.has(word));
    if (!seen) return finding;
    return { ...finding, score: Math.min(1, Math.max(finding.score + contextBoost, contextFloor)) };
  });
}
