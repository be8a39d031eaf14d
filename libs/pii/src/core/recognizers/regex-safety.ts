import { PiiError, PiiErrorCode } from '../pii.errors';

/**
 * Rejects regular expressions whose running time can explode (ReDoS, CWE-1333): a group that contains an unbounded
 * quantifier and is itself repeated without bound, such as `(a+)+` or `(\w*\s?)*`. Bounded repetitions (`{1,8}`) are
 * allowed: with the input length bounded they cannot blow up exponentially. Every built-in pattern passes through this
 * check in a spec, and custom patterns from configuration are checked before they are compiled.
 *
 * @example
 * assertNoNestedQuantifiers('(?:\\d[ -]?){11,18}\\d'); // passes
 * assertNoNestedQuantifiers('(a+)+$');                // throws PII_INVALID_RECOGNIZER
 */
export function assertNoNestedQuantifiers(source: string, name = 'pattern'): void {
  if (hasNestedUnboundedQuantifier(source)) {
    throw new PiiError(
      PiiErrorCode.InvalidRecognizer,
      `${name}: a repeated group contains an unbounded quantifier, which can backtrack catastrophically`,
    );
  }
}

/** True when a group holding `+`, `*` or `{n,}` is itself followed by `+`, `*` or `{n,}`. */
export function hasNestedUnboundedQuantifier(source: string): boolean {
  // One frame per open group: does its body contain an unbounded quantifier?
  const stack: boolean[] = [false];
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char === '\\') {
      index += 2;
      continue;
    }
    if (char === '[') {
      index = skipCharacterClass(source, index);
      continue;
    }
    if (char === '(') {
      stack.push(false);
      index++;
      continue;
    }
    if (char === ')') {
      const innerUnbounded = stack.pop() ?? false;
      const quantifierLength = unboundedQuantifierAt(source, index + 1);
      if (innerUnbounded && quantifierLength > 0) return true;
      if (innerUnbounded || quantifierLength > 0) stack[stack.length - 1] = true;
      index++;
      continue;
    }
    if (unboundedQuantifierAt(source, index) > 0) stack[stack.length - 1] = true;
    index++;
  }
  return false;
}

function skipCharacterClass(source: string, open: number): number {
  let index = open + 1;
  if (source[index] === ']') index++;
  while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
  return index + 1;
}

/** Length of an unbounded quantifier (`+`, `*`, `{n,}`) starting at `index`, or 0. */
function unboundedQuantifierAt(source: string, index: number): number {
  const char = source[index];
  if (char === '+' || char === '*') return 1;
  if (char !== '{') return 0;
  const match = /^\{\d+,\}/.exec(source.slice(index, index + 12));
  return match ? match[0].length : 0;
}
