import { hash } from 'node:crypto';
import { type NamedEntityRecognizer, type PiiFinding, type Recognizer } from '../pii.types';

/** Piece size for named-entity recognition: big enough for context, small enough to check the time budget often. */
const pieceLength = 16_000;

/**
 * Where to cut `text` into pieces of about {@link pieceLength}: after a line break, else after a sentence end, else
 * after a space, so no name is cut in two.
 */
export function pieceBoundaries(text: string, length = pieceLength): number[] {
  const cuts: number[] = [];
  let start = 0;
  while (text.length - start > length) {
    const window = text.slice(start + length / 2, start + length);
    const offset = [window.lastIndexOf('\n'), window.lastIndexOf('. '), window.lastIndexOf(' ')].find((index) => index >= 0);
    const cut = offset === undefined ? start + length : start + length / 2 + offset + 1;
    cuts.push(cut);
    start = cut;
  }
  return cuts;
}

/**
 * The named-entity findings of recently seen pieces, least recently used dropped first. Chat clients send the whole
 * conversation on every turn (the system prompt and every earlier message again), and the tagger is the costliest
 * part of an analysis, so a piece already seen is not tagged again. Keys are SHA-256 digests of the piece, values the
 * findings' types, offsets and scores: no text of the piece stays in the cache.
 */
export class NamedEntityCache {
  private readonly entries = new Map<string, readonly PiiFinding[]>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries: number) {}

  findings(piece: string, recognize: (piece: string) => PiiFinding[]): readonly PiiFinding[] {
    if (this.maxEntries <= 0) return recognize(piece);
    const key = hash('sha256', piece, 'base64');
    const known = this.entries.get(key);
    if (known !== undefined) {
      this.hits++;
      // Map keeps insertion order: moving the entry to the end makes the first one the least recently used.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    this.misses++;
    const found = recognize(piece);
    this.entries.set(key, found);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return found;
  }
}

/**
 * Adapts a named-entity recognizer to the recognizer interface, feeding it long texts piece by piece so the time
 * budget is checked between pieces (a tagger cannot be interrupted inside one call). With a cache, the recognizer
 * must answer from the piece's text alone (the built-in one does).
 */
export function namedEntityRecognizer(ner: NamedEntityRecognizer, cache?: NamedEntityCache): Recognizer {
  const recognize = (piece: string): readonly PiiFinding[] => (cache ? cache.findings(piece, (text) => ner.recognize(text)) : ner.recognize(piece));
  return {
    name: ner.name,
    supportedEntities: ner.supportedEntities,
    analyze: (text, context) => {
      if (context.entities && !ner.supportedEntities.some((type) => context.entities?.has(type))) return [];
      const findings: PiiFinding[] = [];
      let start = 0;
      for (const end of [...pieceBoundaries(text), text.length]) {
        context.checkDeadline?.();
        for (const finding of recognize(text.slice(start, end))) {
          findings.push({ ...finding, start: finding.start + start, end: finding.end + start });
        }
        start = end;
      }
      return findings;
    },
  };
}
