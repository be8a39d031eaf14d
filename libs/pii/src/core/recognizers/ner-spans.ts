// Where a named entity's span starts and ends: Presidio's datasets label the name itself, without titles,
// possessives, trailing punctuation or the common noun after it.
import { type PiiFinding } from '../pii.types';

const leadingDirection = /^(?:(?:Southern|Northern|Eastern|Western|Central|city|town|the)\s{1,8})+/i;
const leadingTitle = /^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev)\.?\s{1,8})+/i;
const honorificOnly = /^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Aunt|Uncle)\.?$/i;
const trailingNoise = /(?:['’]s|[\s.,;:!?'"’)-])+$/;
/** `U.N.`, `U.S.A.`: an acronym keeps its last full stop. */
const dottedAcronym = /^(?:\p{Lu}\.){2,}$/u;
/** A capitalised word, an initial, or a generational suffix that continues a name (`Bryan` + ` Maclean`, ` II`). */
const nameContinuation = /^ (?:\p{Lu}[\p{Ll}'’-]+|\p{Lu}\.|[IVX]{1,4}\b|Jr\.|Sr\.)/u;
/** Words that end a person's name because what follows is a company (`Aunt Bertha Inc`). */
const notANameWord = /^ (?:Inc|Incorporated|Ltd|Limited|LLC|Corp|Corporation|GmbH|Group|Holdings|Bank)\b/;
/** A parenthesised qualifier that is part of a place's name: `Frankfurt (Oder)`, `Cyprus (Greek)`. */
const placeQualifier = /^ \(\p{Lu}[\p{L}'’ -]{0,30}\)/u;
/** A name that ends in its own parenthesised qualifier keeps the closing bracket. */
const balancedQualifier = /\p{L} \([^()]{1,32}\)$/u;
/** Lower-case words after a capitalised name ("Avalara office", "Montijo bridge") are not part of it. */
const lowerTail = /(?: \p{Ll}[\p{L}-]{0,60})+$/u;

/**
 * Puts a named-entity span on the name itself: titles and possessives are dropped (`Dr. [Kyle Kuefer]`, `[Amanda]'s`),
 * a person's name is extended over the surname or suffix that follows, a place over its parenthesised qualifier.
 * Returns `undefined` when nothing is left (a bare honorific).
 */
export function tidySpan(text: string, finding: PiiFinding): PiiFinding | undefined {
  let { start, end } = finding;
  let value = text.slice(start, end);
  if (finding.type === 'PERSON' && honorificOnly.test(value)) return undefined;
  const prefix = finding.type === 'PERSON' ? leadingTitle : finding.type === 'LOCATION' ? leadingDirection : null;
  const title = prefix?.exec(value);
  if (title && title[0].length < value.length) {
    start += title[0].length;
    value = value.slice(title[0].length);
  }
  if (finding.type === 'ORGANIZATION' || finding.type === 'LOCATION') {
    const tail = lowerTail.exec(value);
    if (tail && tail[0].length < value.length && /^\p{Lu}/u.test(value)) {
      end -= tail[0].length;
      value = value.slice(0, value.length - tail[0].length);
    }
  }
  if (dottedAcronym.test(value) || balancedQualifier.test(value)) return { ...finding, start, end };
  const ownEnd = trailingNoise.exec(value);
  if (ownEnd && ownEnd[0].length < value.length) end -= ownEnd[0].length;
  // "Yefremova's Cautionary Tales": the name ends at a possessive or punctuation; only a bare name continues.
  if (finding.type === 'PERSON' && !ownEnd) {
    for (let step = 0; step < 3; step++) {
      const following = text.slice(end, end + 40);
      const next = nameContinuation.exec(following);
      if (!next || notANameWord.test(following)) break;
      end += next[0].length;
    }
  }
  if (finding.type === 'LOCATION') end += placeQualifier.exec(text.slice(end, end + 40))?.[0].length ?? 0;
  const noise = trailingNoise.exec(text.slice(start, end));
  if (noise && noise[0].length < end - start && !balancedQualifier.test(text.slice(start, end))) end -= noise[0].length;
  return { ...finding, start, end };
}

/** The patterns above, for the catastrophic-backtracking check (regex-safety.spec.ts). */
export const spanPatterns: readonly RegExp[] = [
  leadingDirection, leadingTitle, honorificOnly, trailingNoise, dottedAcronym, nameContinuation, notANameWord, placeQualifier, balancedQualifier, lowerTail,
];
