import { PiiError, PiiErrorCode } from './pii.errors';
import { createPiiEngine, type PiiEngine } from './pii-engine';
import { type NamedEntityRecognizer, type Recognizer } from './pii.types';
import { negativeSamples, positiveSamples, privateKeyBlock } from './testing/pii-samples';

const structuredTypes = ['EMAIL_ADDRESS', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'PHONE_NUMBER', 'UK_NHS'];

const throwingRecognizer = (message: string): Recognizer => ({
  name: 'broken',
  supportedEntities: ['BROKEN'],
  analyze: () => {
    throw new Error(message);
  },
});

describe('createPiiEngine', () => {
  let sut: PiiEngine;

  beforeAll(() => {
    sut = createPiiEngine();
  });

  it.each(positiveSamples.map((sample) => [sample.type, sample] as const))('finds %s', (_type, sample) => {
    const findings = sut.analyze(sample.text);

    const values = findings.map((finding) => [finding.type, sample.text.slice(finding.start, finding.end)]);
    expect(values).toContainEqual([sample.type, sample.value]);
  });

  it.each(negativeSamples.map((text) => [text]))('finds no structured PII in %j', (text) => {
    expect(sut.analyze(text, { entities: structuredTypes })).toEqual([]);
  });

  it('finds a private key block as one finding', () => {
    const text = `here it is:\n${privateKeyBlock}\nthanks`;

    const findings = sut.analyze(text);

    expect(findings).toEqual([
      expect.objectContaining({ type: 'PRIVATE_KEY', start: text.indexOf('-----BEGIN'), end: text.indexOf('thanks') - 1 }),
    ]);
  });

  it('reports UTF-16 offsets with an exclusive end after astral characters', () => {
    const text = '😀😀 mail bob@example.org';

    const [finding] = sut.analyze(text, { entities: ['EMAIL_ADDRESS'] });

    expect(finding).toMatchObject({ start: 10, end: 25 });
    expect(text.slice(finding!.start, finding!.end)).toBe('bob@example.org');
  });

  it('raises a score when a context word is near', () => {
    const without = sut.analyze('reference 536904399 attached', { entities: ['US_SSN'], minScore: 0 });
    const withContext = sut.analyze('ssn 536904399 attached', { entities: ['US_SSN'], minScore: 0 });

    expect(withContext[0]!.score).toBeGreaterThan(without[0]!.score);
    expect(sut.analyze('reference 536904399 attached', { entities: ['US_SSN'] })).toEqual([]);
  });

  it('resolves overlaps to the best-scored span', () => {
    const text = 'mail https://example.com/x or alice@example.com';

    const findings = sut.analyze(text);

    expect(findings.map((finding) => finding.type)).toEqual(['URL', 'EMAIL_ADDRESS']);
    findings.forEach((finding, index) => expect(finding.start).toBeGreaterThanOrEqual(findings[index - 1]?.end ?? 0));
  });

  it('only reports the entity types asked for', () => {
    const text = 'John Smith wrote from john@example.com';

    expect(sut.analyze(text, { entities: ['EMAIL_ADDRESS'] }).map((finding) => finding.type)).toEqual(['EMAIL_ADDRESS']);
  });

  it('reads national phone numbers in the configured regions only', () => {
    const german = 'ruf an: 030 1234567';

    expect(createPiiEngine({ defaultRegions: ['DE'], ner: null }).analyze(german)).toHaveLength(1);
    expect(createPiiEngine({ defaultRegions: ['US'], ner: null }).analyze(german)).toEqual([]);
  });

  it('rejects an unknown phone region at construction', () => {
    expect(() => createPiiEngine({ defaultRegions: ['XX'] })).toThrow(
      expect.objectContaining({ code: PiiErrorCode.InvalidRecognizer }),
    );
  });

  it('runs custom recognizers from configuration with their validator and context', () => {
    const engine = createPiiEngine({
      ner: null,
      customRecognizers: [{ type: 'LOYALTY_CARD', pattern: '\\bLC\\d{8}\\b', score: 0.3, context: ['loyalty'] }],
    });

    expect(engine.analyze('loyalty number LC12345678')).toEqual([
      expect.objectContaining({ type: 'LOYALTY_CARD', start: 15, end: 25, recognizer: 'custom:LOYALTY_CARD' }),
    ]);
    expect(engine.analyze('code LC12345678')).toEqual([]);
  });

  it.each([
    ['a pattern that backtracks catastrophically', { type: 'BAD', pattern: '(a+)+$' }],
    ['a pattern that does not compile', { type: 'BAD', pattern: '(' }],
    ['a lower-case type', { type: 'bad', pattern: 'x' }],
  ])('refuses %s', (_reason, definition) => {
    expect(() => createPiiEngine({ customRecognizers: [definition] })).toThrow(
      expect.objectContaining({ code: PiiErrorCode.InvalidRecognizer }),
    );
  });

  it('uses a mounted named-entity recognizer instead of the built-in one', () => {
    const ner: NamedEntityRecognizer = {
      name: 'fake-model',
      supportedEntities: ['PERSON'],
      recognize: (text) => [{ type: 'PERSON', start: 0, end: text.indexOf(' '), score: 0.99, recognizer: 'fake-model' }],
    };

    expect(createPiiEngine({ ner }).analyze('Zorblax arrived')).toEqual([
      { type: 'PERSON', start: 0, end: 7, score: 0.99, recognizer: 'fake-model' },
    ]);
  });

  describe('fails closed', () => {
    it('refuses text over the length bound', () => {
      const engine = createPiiEngine({ maxInputLength: 10 });

      expect(() => engine.analyze('12345678901')).toThrow(expect.objectContaining({ code: PiiErrorCode.InputTooLong }));
    });

    it('surfaces a failing recognizer without quoting the text', () => {
      const secret = 'alice@example.com';
      const engine = createPiiEngine({ ner: null, recognizers: [throwingRecognizer(`cannot parse ${secret}`)] });

      const failure = captureError(() => engine.analyze(`hello ${secret}`));

      expect(failure).toBeInstanceOf(PiiError);
      expect(failure).toMatchObject({ code: PiiErrorCode.AnalysisFailed });
      expect(`${failure.message} ${String(failure.cause)} ${failure.stack}`).not.toContain(secret);
    });

    it('stops when analysis exceeds its time budget', () => {
      let clock = 0;
      const engine = createPiiEngine({ ner: null, timeBudgetMs: 5, now: () => (clock += 3) });

      expect(() => engine.analyze('anything')).toThrow(expect.objectContaining({ code: PiiErrorCode.AnalysisTimeout }));
    });

    it('interrupts a recognizer that checks the deadline while it works', () => {
      let clock = 0;
      let rounds = 0;
      const slow: Recognizer = {
        name: 'slow',
        supportedEntities: ['SLOW'],
        analyze: (_text, context) => {
          for (;;) {
            rounds++;
            context.checkDeadline?.();
          }
        },
      };
      const engine = createPiiEngine({ ner: null, recognizers: [slow], timeBudgetMs: 1_000, now: () => clock++ });

      expect(() => engine.analyze('text')).toThrow(expect.objectContaining({ code: PiiErrorCode.AnalysisTimeout }));
      expect(rounds).toBeLessThan(1_000);
    });
  });
});

function captureError(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
