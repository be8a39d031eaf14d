import fc from 'fast-check';
import { resolveOverlaps } from './analysis/overlap-resolver';
import { PseudonymVault } from './operators/pseudonym-vault';
import { PiiError, PiiErrorCode } from './pii.errors';
import { createPiiEngine, type PiiEngine } from './pii-engine';
import { type OperatorPolicy, type PiiFinding } from './pii.types';
import { hasLoneSurrogate, hostileText, repeatedPattern, textWithSecrets } from './testing/hostile-text';

// Property tests: the engine never throws on hostile text, reports well-formed spans, and redaction does exactly what
// the spans say. A generous time budget keeps a busy CI machine from turning a slow case into a timeout error.
const runs = { numRuns: 150 };

/** Random hostile text, half the time with secrets planted in it so that there are spans to check. */
const textWithSpans = fc.oneof(hostileText, textWithSecrets.map(({ text }) => text));

/** Findings are integers in range, sorted, non-overlapping, of a supported type, with a score in 0..1. */
function expectWellFormed(engine: PiiEngine, text: string, findings: readonly PiiFinding[]): void {
  let previousEnd = 0;
  for (const finding of findings) {
    expect(Number.isInteger(finding.start) && Number.isInteger(finding.end)).toBe(true);
    expect(finding.start).toBeGreaterThanOrEqual(previousEnd);
    expect(finding.end).toBeGreaterThan(finding.start);
    expect(finding.end).toBeLessThanOrEqual(text.length);
    expect(finding.score).toBeGreaterThanOrEqual(0);
    expect(finding.score).toBeLessThanOrEqual(1);
    expect(engine.supportedEntities).toContain(finding.type);
    previousEnd = finding.end;
  }
}

/** The text between the findings, in order: what redaction must leave, byte for byte. */
function gapsOf(text: string, findings: readonly PiiFinding[]): string[] {
  const gaps: string[] = [];
  let cursor = 0;
  for (const finding of findings) {
    gaps.push(text.slice(cursor, finding.start));
    cursor = finding.end;
  }
  gaps.push(text.slice(cursor));
  return gaps;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('PII engine properties', () => {
  let withNer: PiiEngine;
  let patternsOnly: PiiEngine;

  beforeAll(() => {
    withNer = createPiiEngine({ timeBudgetMs: 60_000 });
    patternsOnly = createPiiEngine({ ner: null, timeBudgetMs: 60_000 });
  });

  it('analyzes any text without throwing and reports well-formed, non-overlapping spans', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expectWellFormed(withNer, text, withNer.analyze(text));
      }),
      runs,
    );
  });

  it('never cuts a surrogate pair in two with a span, so redacted text stays well-formed', () => {
    fc.assert(
      fc.property(textWithSpans.filter((text) => !hasLoneSurrogate(text)), (text) => {
        const findings = withNer.analyze(text);
        const redacted = withNer.transform(text, findings, { '*': { operator: 'replace' } }).text;
        expect(hasLoneSurrogate(redacted)).toBe(false);
      }),
      runs,
    );
  });

  it('survives huge repeated patterns without throwing', () => {
    fc.assert(
      fc.property(repeatedPattern, (text) => {
        expectWellFormed(patternsOnly, text, patternsOnly.analyze(text));
      }),
      { numRuns: 20 },
    );
  });

  it('redact removes exactly the reported spans and leaves every other code unit as it was', () => {
    fc.assert(
      fc.property(textWithSpans, (text) => {
        const findings = withNer.analyze(text);
        const { text: redacted, applied } = withNer.transform(text, findings, { '*': { operator: 'redact' } });
        expect(redacted).toBe(gapsOf(text, findings).join(''));
        expect(applied).toHaveLength(findings.length);
      }),
      runs,
    );
  });

  it('replace puts one typed placeholder where each span was and nothing else changes', () => {
    fc.assert(
      fc.property(textWithSpans, (text) => {
        const findings = withNer.analyze(text);
        const vault = new PseudonymVault();
        const { text: replaced } = withNer.transform(text, findings, { '*': { operator: 'replace' } }, vault);
        const gaps = gapsOf(text, findings).map(escapeRegExp);
        const pattern = gaps.reduce((source, gap, index) => {
          const finding = findings[index - 1];
          return index === 0 ? gap : `${source}<${finding?.type ?? ''}_\\d+>${gap}`;
        }, '');
        expect(new RegExp(`^${pattern}$`).test(replaced)).toBe(true);
      }),
      runs,
    );
  });

  it('finds every planted secret in hostile text and no redacted output contains one', () => {
    const policies: OperatorPolicy[] = [
      { '*': { operator: 'redact' } },
      { '*': { operator: 'replace' } },
      { '*': { operator: 'hash', key: 'a-key-of-sixteen-bytes' } },
      { '*': { operator: 'pseudonymise' } },
    ];
    fc.assert(
      fc.property(textWithSecrets, fc.constantFrom(...policies), ({ text, secrets }, policy) => {
        const findings = patternsOnly.analyze(text);
        const output = patternsOnly.transform(text, findings, policy).text;
        for (const secret of secrets) expect(output).not.toContain(secret);
      }),
      runs,
    );
  });

  it('shifts every structured finding by the length of a neutral prefix (offsets are UTF-16 code units, never drift)', () => {
    fc.assert(
      fc.property(textWithSecrets, fc.constantFrom('İİ\n\n', '😀👩‍👩‍👧\n\n', 'ﬃß\u0000\n\n', '\ud800\n\n'), ({ text }, prefix) => {
        const plain = patternsOnly.analyze(text).map((finding) => [finding.type, finding.start, finding.end]);
        const shifted = patternsOnly.analyze(prefix + text).map((finding) => [finding.type, finding.start - prefix.length, finding.end - prefix.length]);
        expect(shifted).toEqual(plain);
      }),
      { numRuns: 100 },
    );
  });
});

describe('overlap resolution', () => {
  /** The obvious quadratic statement of the rule: best score, then longer, then earlier wins; survivors by start. */
  function reference(findings: readonly PiiFinding[]): PiiFinding[] {
    const ranked = [...findings].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: PiiFinding[] = [];
    for (const candidate of ranked) {
      if (candidate.end <= candidate.start) continue;
      if (kept.some((other) => candidate.start < other.end && other.start < candidate.end)) continue;
      kept.push(candidate);
    }
    return kept.sort((a, b) => a.start - b.start);
  }

  const finding = fc
    .record({ start: fc.nat({ max: 200 }), length: fc.integer({ min: -2, max: 40 }), score: fc.constantFrom(0.3, 0.5, 0.6, 0.85, 1), type: fc.constantFrom('A', 'B') })
    .map(({ start, length, score, type }) => ({ type, start, end: start + length, score, recognizer: type }));

  it('keeps exactly the spans the rule keeps, in order, for any set of findings', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 60 }), (findings) => {
        expect(resolveOverlaps(findings)).toEqual(reference(findings));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps all of 20,000 adjacent findings given in reverse, in order (a repeated e-mail address)', () => {
    const findings = Array.from({ length: 20_000 }, (_, index) => ({ type: 'EMAIL_ADDRESS', start: index * 7, end: index * 7 + 6, score: 1, recognizer: 'email' }));
    const shuffled = [...findings].reverse();
    expect(resolveOverlaps(shuffled)).toEqual(findings);
  });
});

describe('PII errors never quote the text', () => {
  const marker = fc.string({ unit: 'grapheme', minLength: 6, maxLength: 40 }).map((text) => `«${text}»`);

  /** Everything an error can show: message, stack, and its cause chain. */
  function everythingShown(error: unknown): string {
    const parts: string[] = [];
    let current: unknown = error;
    for (let depth = 0; current && depth < 5; depth++) {
      parts.push(String(current), (current as Error).stack ?? '', JSON.stringify(current) ?? '');
      current = (current as { cause?: unknown }).cause;
    }
    return parts.join('\n');
  }

  function thrownBy(action: () => unknown): unknown {
    try {
      action();
    } catch (error) {
      return error;
    }
    throw new Error('expected the action to throw');
  }

  it('keeps the input out of the too-long error', () => {
    const engine = createPiiEngine({ ner: null, maxInputLength: 4 });
    fc.assert(
      fc.property(marker, (text) => {
        const error = thrownBy(() => engine.analyze(text));
        expect(error).toBeInstanceOf(PiiError);
        expect((error as PiiError).code).toBe(PiiErrorCode.InputTooLong);
        expect(everythingShown(error)).not.toContain(text);
      }),
      runs,
    );
  });

  it('keeps the input out of the time-budget error', () => {
    let clock = 0;
    const engine = createPiiEngine({ ner: null, timeBudgetMs: 10, now: () => (clock += 100) });
    fc.assert(
      fc.property(marker, (text) => {
        const error = thrownBy(() => engine.analyze(text));
        expect((error as PiiError).code).toBe(PiiErrorCode.AnalysisTimeout);
        expect(everythingShown(error)).not.toContain(text);
      }),
      runs,
    );
  });

  it('drops a failing recognizer’s message, which may quote the text it was reading', () => {
    const engine = createPiiEngine({
      ner: null,
      recognizers: [
        {
          name: 'quoting',
          supportedEntities: ['QUOTED'],
          analyze: (text) => {
            throw new TypeError(`cannot read ${text}`, { cause: new Error(text) });
          },
        },
      ],
    });
    fc.assert(
      fc.property(marker, (text) => {
        const error = thrownBy(() => engine.analyze(text));
        expect((error as PiiError).code).toBe(PiiErrorCode.AnalysisFailed);
        expect(everythingShown(error)).not.toContain(text);
      }),
      runs,
    );
  });
});
