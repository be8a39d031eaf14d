import fc from 'fast-check';
import { createPiiEngine, type PiiEngine } from '../pii-engine';
import { type OperatorPolicy } from '../pii.types';
import { chunksOf, hasLoneSurrogate, hostileText, textWithSecrets } from '../testing/hostile-text';

// Property tests of the streaming redactor: how a model's answer is cut into chunks must never change what the client
// receives, and no planted secret (nor its first characters) may get out ahead of its redaction.
const policy: OperatorPolicy = { '*': { operator: 'replace' } };
const cuts = fc.array(fc.nat({ max: 4_000 }), { maxLength: 40 });
const textWithSpans = fc.oneof(hostileText, textWithSecrets.map(({ text }) => text));

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** Streams the chunks through one redactor; returns every emitted piece (the last one is `flush()`). */
function stream(engine: PiiEngine, chunks: readonly string[]): string[] {
  const sut = engine.createStreamRedactor(policy);
  return [...chunks.map((chunk) => sut.push(chunk)), sut.flush()];
}

describe('StreamRedactor properties', () => {
  let patternsOnly: PiiEngine;
  let withNer: PiiEngine;

  beforeAll(() => {
    patternsOnly = createPiiEngine({ ner: null, timeBudgetMs: 60_000 });
    withNer = createPiiEngine({ timeBudgetMs: 60_000 });
  });

  it('gives the same output however the answer is chunked (patterns)', () => {
    fc.assert(
      fc.property(textWithSpans, cuts, (text, positions) => {
        const whole = stream(patternsOnly, [text]).join('');
        expect(stream(patternsOnly, chunksOf(text, positions)).join('')).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  // The named-entity pass reads context: a name can be recognised only with words that arrive more than the hold-back
  // later (seed 2103010271, run 72: "@John SmithΕλληνικά | …" cut 87 characters in), so chunk invariance does not hold
  // for every text (docs/reliability.md, known limits). This runs a fixed corpus, so a change that breaks it for the
  // texts it does hold for shows, and CI does not fail at random.
  it('gives the same output however the answer is chunked (with named entities, fixed corpus)', () => {
    fc.assert(
      fc.property(textWithSpans, cuts, (text, positions) => {
        const whole = stream(withNer, [text]).join('');
        expect(stream(withNer, chunksOf(text, positions)).join('')).toBe(whole);
      }),
      { numRuns: 100, seed: 20_261_206 },
    );
  });

  it('matches whole-text redaction for planted secrets in hostile text', () => {
    fc.assert(
      fc.property(textWithSecrets, cuts, ({ text }, positions) => {
        const whole = patternsOnly.transform(text, patternsOnly.analyze(text), policy).text;
        expect(stream(patternsOnly, chunksOf(text, positions)).join('')).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a planted secret, or its first eight characters, out of the stream', () => {
    fc.assert(
      fc.property(textWithSecrets, cuts, ({ text, secrets }, positions) => {
        const pieces = stream(patternsOnly, chunksOf(text, positions));
        const output = pieces.join('');
        for (const secret of secrets) {
          const prefix = secret.slice(0, 8);
          // Skip a prefix the random filler happens to hold on its own (e.g. a stray `-----BEGIN`).
          if (occurrences(text, prefix) === occurrences(text, secret)) expect(output).not.toContain(prefix);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never splits a surrogate pair between two emitted pieces', () => {
    fc.assert(
      fc.property(textWithSpans.filter((text) => !hasLoneSurrogate(text)), cuts, (text, positions) => {
        for (const piece of stream(withNer, chunksOf(text, positions))) expect(hasLoneSurrogate(piece)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
