import { type NamedEntityRecognizer } from '../pii.types';
import { createPiiEngine } from '../pii-engine';
import { NamedEntityCache, namedEntityRecognizer, pieceBoundaries } from './ner-chunks';

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

  it('tags a piece it has seen before only once, and answers with the same findings', () => {
    const pieces: string[] = [];
    const cache = new NamedEntityCache(8);
    const sut = namedEntityRecognizer(fakeNer(pieces), cache);
    const system = 'You are a helpful assistant. Zed reviews every answer.';

    const first = sut.analyze(system, { entities: undefined });
    const again = sut.analyze(system, { entities: undefined });
    const other = sut.analyze('Ask Zed later.', { entities: undefined });

    expect(pieces).toEqual([system, 'Ask Zed later.']);
    expect(again).toEqual(first);
    expect(other).toEqual([{ type: 'PERSON', start: 4, end: 7, score: 0.9, recognizer: 'fake' }]);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 2 });
  });

  it('maps cached findings to where the piece sits in a longer text', () => {
    const cache = new NamedEntityCache(8);
    const sut = namedEntityRecognizer(fakeNer([]), cache);
    const text = 'Zed was here.\n'.repeat(3000);

    const first = sut.analyze(text, { entities: undefined });
    const again = sut.analyze(text, { entities: undefined });

    expect(cache.hits).toBeGreaterThan(0);
    expect(again).toEqual(first);
    expect(again.every((finding) => text.slice(finding.start, finding.end) === 'Zed')).toBe(true);
  });

  it('drops the least recently used piece beyond its size, and remembers nothing at size 0', () => {
    const pieces: string[] = [];
    const cache = new NamedEntityCache(2);
    const sut = namedEntityRecognizer(fakeNer(pieces), cache);
    for (const text of ['a Zed', 'b Zed', 'a Zed', 'c Zed', 'a Zed', 'b Zed']) sut.analyze(text, { entities: undefined });
    // a, b tagged; a hit (now most recent); c evicts b; a hit; b tagged again.
    expect(pieces).toEqual(['a Zed', 'b Zed', 'c Zed', 'b Zed']);

    const uncached: string[] = [];
    const none = namedEntityRecognizer(fakeNer(uncached), new NamedEntityCache(0));
    none.analyze('a Zed', { entities: undefined });
    none.analyze('a Zed', { entities: undefined });
    expect(uncached).toEqual(['a Zed', 'a Zed']);
  });

  it('keeps no text of a piece, only digests and findings', () => {
    const cache = new NamedEntityCache(4);
    namedEntityRecognizer(fakeNer([]), cache).analyze('Call Zed on 555-0100', { entities: undefined });
    const held = JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries]);
    expect(held).not.toContain('Zed');
    expect(held).not.toContain('555');
  });

  it('gives the engine the same findings with and without the cache on a conversation resent turn by turn', () => {
    const cached = createPiiEngine({ nerCacheEntries: 64 });
    const uncached = createPiiEngine({ nerCacheEntries: 0 });
    const turns = ['You are the assistant of Maria Lopez at Acme Logistics in Rotterdam.', 'Book a table for Jan de Vries.', 'Then tell Priya Patel in London.'];
    for (let turn = 1; turn <= turns.length; turn++) {
      for (const message of turns.slice(0, turn)) expect(cached.analyze(message)).toEqual(uncached.analyze(message));
    }
    const tagged: string[] = [];
    const engine = createPiiEngine({ ner: fakeNer(tagged), nerCacheEntries: 8 });
    engine.analyze(turns[0]!);
    engine.analyze(turns[0]!);
    expect(tagged).toEqual([turns[0]]);
  });
});

