import { formatVersionRef, parseVersionRef, type VersionRef } from './model-reference';
import { RegistryError, RegistryErrorCode } from './registry.errors';

export const MAX_ALIAS_TARGETS = 16;
export const MAX_TARGET_WEIGHT = 1000;

/** One version an alias routes to, with its share of traffic (weights are relative, e.g. 90 / 10 for a canary). */
export interface AliasTargetSpec {
  ref: VersionRef;
  weight: number;
}

/**
 * Parses `model@version[:weight]` (weight defaults to 1), as the CLI and admin API take them.
 *
 * @example
 * parseAliasTargets(['llama@3:90', 'llama@4:10']);
 * // [{ ref: { model: 'llama', version: 3 }, weight: 90 }, { ref: { model: 'llama', version: 4 }, weight: 10 }]
 */
export function parseAliasTargets(texts: readonly string[]): AliasTargetSpec[] {
  const targets = texts.map((text) => {
    const colon = text.lastIndexOf(':');
    const weightText = colon > 0 ? text.slice(colon + 1) : '1';
    const weight = /^[0-9]{1,4}$/.test(weightText) ? Number(weightText) : Number.NaN;
    return { ref: parseVersionRef(colon > 0 ? text.slice(0, colon) : text), weight };
  });
  validateAliasTargets(targets);
  return targets;
}

/** @throws RegistryError INVALID_INPUT: no targets, too many, duplicates, weights outside 0..1000 or all zero */
export function validateAliasTargets(targets: readonly AliasTargetSpec[]): void {
  const fail = (why: string) => new RegistryError(RegistryErrorCode.InvalidInput, `alias targets: ${why}`);
  if (targets.length === 0) throw fail('name at least one MODEL@VERSION');
  if (targets.length > MAX_ALIAS_TARGETS) throw fail(`at most ${MAX_ALIAS_TARGETS} targets`);
  const seen = new Set<string>();
  for (const target of targets) {
    const label = formatVersionRef(target.ref);
    if (seen.has(label)) throw fail(`${label} is named twice`);
    seen.add(label);
    if (!Number.isInteger(target.weight) || target.weight < 0 || target.weight > MAX_TARGET_WEIGHT) {
      throw fail(`the weight of ${label} must be a whole number from 0 to ${MAX_TARGET_WEIGHT}`);
    }
  }
  if (targets.every((target) => target.weight === 0)) throw fail('at least one weight must be above 0');
}

/**
 * Picks one target with probability weight / total. `random` returns [0, 1) (Math.random by default; specs pass
 * a fixed sequence).
 */
export function pickWeighted<T extends { weight: number }>(targets: readonly T[], random: () => number = Math.random): T | undefined {
  const total = targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const target of targets) {
    if (target.weight <= 0) continue;
    if (point < target.weight) return target;
    point -= target.weight;
  }
  return targets.filter((target) => target.weight > 0).at(-1);
}
