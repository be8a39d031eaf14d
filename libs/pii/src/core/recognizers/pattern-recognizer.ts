import { type PiiFinding, type Recognizer, type RecognizerContext } from '../pii.types';
import { assertNoNestedQuantifiers } from './regex-safety';

/**
 * What a validator says about one match: `false` drops it, `true` keeps the base score, a number replaces the score,
 * and `{ start, end, score }` narrows the span (a trailing separator, a shorter valid prefix).
 */
export type PatternVerdict = boolean | number | { start: number; end: number; score: number };

/** One regular expression of a {@link PatternRecognizer}. */
export interface PatternSpec {
  type: string;
  /** Must carry the `g` flag; checked for nested unbounded quantifiers at construction. */
  regex: RegExp;
  score: number;
  validate?: (match: string, text: string, start: number) => PatternVerdict;
}

/**
 * A recognizer made of regular expressions, each with a base score and an optional validator (checksum, range).
 *
 * @example
 * const employeeIds = new PatternRecognizer('employee-id', [{ type: 'EMPLOYEE_ID', regex: /\bE\d{6}\b/g, score: 0.6 }], ['employee']);
 */
export class PatternRecognizer implements Recognizer {
  readonly supportedEntities: readonly string[];

  constructor(
    readonly name: string,
    readonly patterns: readonly PatternSpec[],
    readonly contextWords: readonly string[] = [],
  ) {
    for (const pattern of patterns) {
      if (!pattern.regex.global) throw new TypeError(`${name}: pattern for ${pattern.type} needs the g flag`);
      assertNoNestedQuantifiers(pattern.regex.source, name);
    }
    this.supportedEntities = [...new Set(patterns.map((pattern) => pattern.type))];
  }

  analyze(text: string, context: RecognizerContext): PiiFinding[] {
    const findings: PiiFinding[] = [];
    for (const pattern of this.patterns) {
      if (context.entities && !context.entities.has(pattern.type)) continue;
      context.checkDeadline?.();
      const regex = new RegExp(pattern.regex.source, pattern.regex.flags);
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        if (match[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        const finding = this.judge(pattern, match[0], text, match.index);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  }

  private judge(pattern: PatternSpec, value: string, text: string, start: number): PiiFinding | undefined {
    const verdict = pattern.validate ? pattern.validate(value, text, start) : true;
    if (verdict === false) return undefined;
    const base = { type: pattern.type, recognizer: this.name };
    if (verdict === true) return { ...base, start, end: start + value.length, score: pattern.score };
    if (typeof verdict === 'number') return { ...base, start, end: start + value.length, score: verdict };
    return { ...base, ...verdict };
  }
}
