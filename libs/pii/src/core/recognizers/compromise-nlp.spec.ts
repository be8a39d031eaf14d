import { positiveSamples, negativeSamples } from '../testing/pii-samples';
import { compromiseBulkMatch, nlp } from './compromise-nlp';

describe('compromise-nlp', () => {
  const methods = (nlp.world() as unknown as { methods: { one: { bulkMatch: unknown } } }).methods.one;
  const tagged = (text: string): string[][] =>
    (nlp(text).docs as unknown as { text: string; tags: Set<string> }[][]).flat().map((term) => [term.text, ...[...term.tags].sort()]);
  const withOriginalSweep = <T>(run: () => T): T => {
    const fast = methods.bulkMatch;
    methods.bulkMatch = compromiseBulkMatch;
    try {
      return run();
    } finally {
      methods.bulkMatch = fast;
    }
  };

  it('replaces the sweep of the tagger grammar', () => {
    expect(methods.bulkMatch).not.toBe(compromiseBulkMatch);
  });

  it.each([
    ...positiveSamples.map((sample) => sample.text),
    ...negativeSamples,
    'Yesterday John Smith called, and Faina D. Yefremova, from Kiel, Germany, works for Davis, Reynolds and Williamson.',
    "I'd rather we didn't: the 3rd of May, 2024 was when Dr. Cettina Fanucci's team moved to Springfield, Illinois.",
  ])('tags %j as compromise does', (text) => {
    expect(tagged(text)).toEqual(withOriginalSweep(() => tagged(text)));
  });

  it('keeps the tags the recognizer reads', () => {
    const [john, smith, , , estonia] = tagged('John Smith moved to Estonia.');

    expect([john, smith, estonia].map((term) => term?.slice(1))).toEqual([
      expect.arrayContaining(['Person', 'FirstName']),
      expect.arrayContaining(['Person', 'LastName']),
      expect.arrayContaining(['Place', 'Country']),
    ]);
  });
});
