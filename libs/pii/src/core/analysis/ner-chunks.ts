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
 * Adapts a named-entity recognizer to the recognizer interface, feeding it long texts piece by piece so the time
 * budget is checked between pieces (a tagger cannot be interrupted inside one call).
 */
export function namedEntityRecognizer(ner: NamedEntityRecognizer): Recognizer {
  return {
    name: ner.name,
    supportedEntities: ner.supportedEntities,
    analyze: (text, context) => {
      if (context.entities && !ner.supportedEntities.some((type) => context.entities?.has(type))) return [];
      const findings: PiiFinding[] = [];
      let start = 0;
      for (const end of [...pieceBoundaries(text), text.length]) {
        context.checkDeadline?.();
        for (const finding of ner.recognize(text.slice(start, end))) {
          findings.push({ ...finding, start: finding.start + start, end: finding.end + start });
        }
        start = end;
      }
      return findings;
    },
  };
}
