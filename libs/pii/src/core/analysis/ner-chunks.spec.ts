import { type NamedEntityRecognizer } from '../pii.types';
import { namedEntityRecognizer, pieceBoundaries } from './ner-chunks';

/** Finds every "Zed" and records the pieces it was given. */
function fakeNer(pieces: string[]): NamedEntityRecognizer {
  return {
    name: 'fake',
    supportedEntities: ['PERSON'],
    recognize: (text) => {
      pieces.push(text);
      return [...text.matchAll(/Zed/g)].map((match) => ({ type: 'PERSON', start: match.index, end: match.index + 3, score: 0.9, recognizer: 'fake' }));
    },
  };
}

describe(namedEntityRecognizer.name, () => {
  it('feeds long text in pieces cut at line breaks and maps offsets back', () => {
    const pieces: string[] = [];
    const text = 'Zed was here.\n'.repeat(3000);
    const sut = namedEntityRecognizer(fakeNer(pieces));

    const findings = sut.analyze(text, { entities: undefined });

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    expect(findings).toHaveLength(3000);
    expect(findings.every((finding) => text.slice(finding.start, finding.end) === 'Zed')).toBe(true);
  });

  it('checks the time budget before each piece', () => {
    let checks = 0;
    const sut = namedEntityRecognizer(fakeNer([]));

    sut.analyze('word '.repeat(10_000), { entities: undefined, checkDeadline: () => checks++ });

    expect(checks).toBe(pieceBoundaries('word '.repeat(10_000)).length + 1);
  });

  it('skips work when none of its types is asked for', () => {
    const pieces: string[] = [];

    expect(namedEntityRecognizer(fakeNer(pieces)).analyze('Zed', { entities: new Set(['EMAIL_ADDRESS']) })).toEqual([]);
    expect(pieces).toEqual([]);
  });
});
