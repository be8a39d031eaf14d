import { PiiError, PiiErrorCode } from './pii.errors';
import { createPiiEngine, type PiiEngine } from './pii-engine';
import { type OperatorPolicy, type PiiFinding } from './pii.types';
import { loadFuzzCorpus } from './testing/fuzz-corpus';

// Every text of the fuzz corpus through the engine as the gateway configures it: analysis either returns well-formed,
// non-overlapping spans or fails with a stable PiiError code whose message quotes no input (huge entries are allowed
// to run out of a short time budget: failing closed is the contract); redaction removes exactly the spans; the stream
// redactor gives the same text however the entry is chunked.
const corpus = loadFuzzCorpus();
const policy: OperatorPolicy = { '*': { operator: 'replace' } };
/** Entries longer than this are only analysed: streaming them in small chunks re-reads the window too often. */
const streamedUpTo = 6_000;

function gapsOf(text: string, findings: readonly PiiFinding[]): string {
  let cursor = 0;
  let out = '';
  for (const finding of findings) {
    out += text.slice(cursor, finding.start);
    cursor = finding.end;
  }
  return out + text.slice(cursor);
}

describe('the PII fuzz corpus', () => {
  let engine: PiiEngine;
  let hurried: PiiEngine;

  beforeAll(() => {
    engine = createPiiEngine({ timeBudgetMs: 60_000 });
    // Huge entries get a short budget: they must finish or fail cleanly, and the spec must stay quick.
    hurried = createPiiEngine({ timeBudgetMs: 300 });
  });

  it('holds entries', () => {
    expect(corpus.length).toBeGreaterThan(40);
  });

  it.each(corpus.map((entry) => [`${entry.file}: ${entry.name}`, entry] as const))('%s', (_label, { text }) => {
    const sut = text.length > streamedUpTo ? hurried : engine;
    let findings: PiiFinding[];
    try {
      findings = sut.analyze(text);
    } catch (error) {
      expect(error).toBeInstanceOf(PiiError);
      expect([PiiErrorCode.AnalysisTimeout, PiiErrorCode.InputTooLong]).toContain((error as PiiError).code);
      expect(String(error)).not.toContain(text.slice(0, 12));
      return;
    }
    let previousEnd = 0;
    for (const finding of findings) {
      expect(finding.start).toBeGreaterThanOrEqual(previousEnd);
      expect(finding.end).toBeGreaterThan(finding.start);
      expect(finding.end).toBeLessThanOrEqual(text.length);
      previousEnd = finding.end;
    }
    expect(sut.transform(text, findings, { '*': { operator: 'redact' } }).text).toBe(gapsOf(text, findings));
    if (text.length > streamedUpTo) return;

    const whole = (() => {
      const redactor = engine.createStreamRedactor(policy);
      return redactor.push(text) + redactor.flush();
    })();
    for (const size of [1, 7, 64]) {
      const redactor = engine.createStreamRedactor(policy);
      let streamed = '';
      for (let index = 0; index < text.length; index += size) streamed += redactor.push(text.slice(index, index + size));
      expect(streamed + redactor.flush()).toBe(whole);
    }
  });
});
