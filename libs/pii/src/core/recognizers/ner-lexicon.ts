// compromise's English lexicon (about 25,000 words with their part of speech), read once: it tells a capitalised
// ordinary word ("Guilty", "Secretly", "However") from a name it has never seen ("Szöllösy").
import { nlp } from './compromise-nlp';

type LexiconTag = string | string[];

/** Lexicon tags that mark a word as (part of) a name rather than ordinary English. */
const nameTags = new Set([
  'Person', 'FirstName', 'LastName', 'MaleName', 'FemaleName', 'Honorific', 'Place', 'Country', 'City', 'Region',
  'Organization', 'Company', 'SportsTeam', 'ProperNoun', 'Acronym',
]);

const lexicon: Readonly<Record<string, LexiconTag | undefined>> = (
  nlp as unknown as { model: () => { one: { lexicon: Record<string, LexiconTag> } } }
).model().one.lexicon;

/**
 * True when compromise knows `word` (any case) as ordinary English: an adjective, verb, adverb, common noun or
 * function word, and not as a name. Unknown words and names are not common.
 *
 * @example
 * isCommonWord('Guilty'); // true
 * isCommonWord('Szöllösy'); // false
 * isCommonWord('Becker'); // false (a last name)
 */
export function isCommonWord(word: string): boolean {
  const tags = lexiconTags(word);
  return tags.length > 0 && !tags.some((tag) => nameTags.has(tag));
}

/**
 * True when compromise knows `word` as a given name (`Peter`, `Maria`), not only as a surname (`Davis`).
 *
 * @example
 * isGivenName('Peter'); // true
 * isGivenName('Reynolds'); // false
 */
export function isGivenName(word: string): boolean {
  return lexiconTags(word).some((tag) => givenNameTags.has(tag));
}

const givenNameTags = new Set(['FirstName', 'MaleName', 'FemaleName']);

function lexiconTags(word: string): readonly string[] {
  const key = word.toLowerCase();
  // Own properties only: "constructor" or "toString" must not reach Object.prototype.
  const entry = Object.hasOwn(lexicon, key) ? lexicon[key] : undefined;
  if (entry === undefined) return [];
  return typeof entry === 'string' ? [entry] : entry;
}
