import { nlp } from './compromise-nlp';
import { type NamedEntityRecognizer, type PiiFinding } from '../pii.types';
import { findAddressCompanies, findAddressPlaces } from './address-cues';
import { findByCues, findFirmNames, findListedNames, findLowercaseNames, stopwords } from './ner-cues';
import { isCommonWord } from './ner-lexicon';
import { tidySpan } from './ner-spans';

/** The parts of a compromise term this recognizer reads (after `compute('offset')`). */
interface TaggedTerm {
  text: string;
  post: string;
  tags?: Set<string>;
  offset?: { start: number; length: number };
}

type TermClass = 'PERSON' | 'LOCATION' | 'ORGANIZATION' | 'NAME';

const scores: Record<TermClass, number> = { PERSON: 0.85, LOCATION: 0.7, ORGANIZATION: 0.7, NAME: 0.5 };
/** A lone double-barrelled word (`Ellis-Ingram`) is as often a firm as a surname: context cues may outrank it. */
const hyphenatedPersonScore = 0.6;

/** Tags of words compromise does not know as ordinary English, or knows as parts of names. */
const nameLikeTags = new Set([
  'Noun', 'Singular', 'ProperNoun', 'FirstName', 'LastName', 'Person', 'MaleName', 'FemaleName', 'Acronym', 'Possessive', 'Hyphenated',
]);

/** A word that makes a run of unknown capitalised words a company or product, not a person. */
const organizationWord =
  /^(?:Solutions|Global|Group|Bank|Technologies|Technology|Systems|Partners|Capital|Labs|Media|Club|Insights|Data|Finance|Financial|Health|Software|Services|Analytics|Networks|Energy|Power|Consulting|Ventures|Investments|Holdings|Industries|International|Foundation|Institute|Company|Corporation|Inc|Ltd|LLC|Explorer|Works|Studios)$/;

/**
 * The class of one term. In a sentence that uses capitals, a lower-case word is never a name (compromise tags `visa`
 * as a company and `bot` after "Sir" as a person); in an all-lower-case sentence ("follow up with patricia
 * desrosiers") a word compromise does not know may continue a name.
 */
function classify(term: TaggedTerm, caseless: boolean): TermClass | undefined {
  const tags = term.tags ?? new Set<string>();
  const capitalised = /^\p{Lu}/u.test(term.text);
  if (!capitalised && !caseless) return undefined;
  if (tags.has('Person')) return 'PERSON';
  if (tags.has('Place')) return 'LOCATION';
  if (tags.has('Organization')) return 'ORGANIZATION';
  const word = term.text.replace(/['’]s$|\.$/, '');
  const initial = /^\p{L}$/u.test(word);
  const unknown = /^\p{L}[\p{L}'’-]*$/u.test(word) && !stopwords.has(word) && (initial || !isCommonWord(word));
  const nameLike = [...tags].every((tag) => nameLikeTags.has(tag) || (caseless && tag === 'Plural'));
  return unknown && nameLike ? 'NAME' : undefined;
}

/** Whether a term's trailing punctuation ends a run: the full stop of an initial and a hyphen inside a word do not. */
function endsRun(term: TaggedTerm): boolean {
  const post = term.post.trim();
  if (post === '') return /['’]s$/.test(term.text);
  if (post === '.' && /^\p{L}$/u.test(term.text)) return false;
  return !(post === '-' && term.tags?.has('Hyphenated') && term.post === '-');
}

interface Run {
  type: TermClass;
  terms: TaggedTerm[];
  /** The run follows a possessive (`Ström's Cautionary Tales`). */
  afterPossessive: boolean;
}

/** Lower-case particles inside a person's name: `Dyan van Gijn`, `Maika van de Noort`, `Ahmad bin Ali`. */
const nameParticles = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'le', 'la', 'du', 'dos', 'das', 'ter', 'ten', 'bin', 'binti', 'al']);

/** Titles and generation marks written after a person's name (`Giovanna Rodrigues MD`, `Louis IV`). */
const nameSuffix = /^(?:Jr|Sr|MD|PhD|II|III|IV)$/;

/**
 * A term that continues the person's name being read whatever its own class: a particle before a capitalised word,
 * the word after an initial (`Landerico B Hidalgo` is a person even though Hidalgo is also a Mexican state), or a title
 * after a person's name.
 */
function continuesName(run: Run | undefined, term: TaggedTerm, next: TaggedTerm | undefined): TermClass | undefined {
  if (!run || (run.type !== 'PERSON' && run.type !== 'NAME')) return undefined;
  if (run.type === 'PERSON' && nameSuffix.test(term.text)) return 'PERSON';
  const nextText = next?.text ?? '';
  if (nameParticles.has(term.text) && (/^\p{Lu}/u.test(nextText) || nameParticles.has(nextText))) return run.type;
  const previous = run.terms[run.terms.length - 1];
  const afterInitial = previous && /^\p{L}$/u.test(previous.text) && run.terms.length > 1;
  return afterInitial && /^\p{Lu}[\p{L}'’-]+$/u.test(term.text) && !stopwords.has(term.text) ? 'PERSON' : undefined;
}

/**
 * The person patterns of compromise's grammar pass that look ahead, which this recognizer skips: a capitalised word
 * right before a person's name is part of it when compromise reads it as a proper noun, an initial or a short form of a
 * month (`Lily Nolan`, `Ján M. Novák`). Stop words (`Dear`, `Monday`) stay outside. (A title after the name is
 * {@link continuesName}'s.)
 */
function widenPeople(terms: readonly TaggedTerm[], classes: (TermClass | undefined)[]): (TermClass | undefined)[] {
  // Right to left: whether the terms after this one open a person's name (a NAME run merges into a PERSON after it).
  let personAhead = false;
  for (let index = terms.length - 1; index >= 0; index--) {
    const term = terms[index];
    if (!term) continue;
    const joins: boolean = personAhead && !endsRun(term);
    if (classes[index] === undefined && joins && precedesName(term)) classes[index] = 'PERSON';
    personAhead = classes[index] === 'PERSON' || (classes[index] === 'NAME' && joins);
  }
  return classes;
}

function precedesName(term: TaggedTerm): boolean {
  const tags = term.tags ?? new Set<string>();
  const initial = /^\p{Lu}$/u.test(term.text);
  return /^\p{Lu}/u.test(term.text) && !stopwords.has(term.text) && (initial || tags.has('ProperNoun') || tags.has('Month'));
}

/** Joins two neighbouring classes: an unknown capitalised word next to a known name is part of that name. */
function merge(run: TermClass, next: TermClass): TermClass | undefined {
  if (run === next) return run;
  if (run === 'NAME' && next === 'PERSON') return 'PERSON';
  if (run === 'PERSON' && next === 'NAME') return 'PERSON';
  return undefined;
}

/**
 * PERSON, LOCATION and ORGANIZATION from compromise's tagger (its lexicon and first tagging pass), widened by cue words
 * around capitalised runs, firm-name and address-block shapes, and by runs of capitalised words compromise does not
 * know (names from outside its English lexicon, such as `Krisztián Szöllösy`). Scores stay below the
 * checksum-validated types so a validated card or IBAN always wins an overlap.
 *
 * @example
 * new CompromiseNamedEntityRecognizer().recognize('My name is Rubija'); // [{ type: 'PERSON', start: 11, end: 17, ... }]
 */
export class CompromiseNamedEntityRecognizer implements NamedEntityRecognizer {
  readonly name = 'compromise-ner';
  readonly supportedEntities = ['PERSON', 'LOCATION', 'ORGANIZATION'] as const;

  recognize(text: string): PiiFinding[] {
    const document = nlp(text);
    document.compute('offset');
    const sentences = document.docs as unknown as TaggedTerm[][];
    const tagged = this.fromTags(sentences);
    const people = tagged.filter((finding) => finding.type === 'PERSON' && finding.score === scores.PERSON);
    return [
      ...tagged,
      ...placesBeforeRegions(text, tagged, this.name),
      ...findListedNames(text, people, this.name),
      ...findByCues(text, this.name),
      ...findLowercaseNames(text, this.name),
      ...findFirmNames(text, this.name),
      ...findAddressPlaces(text, this.name),
      ...findAddressCompanies(text, this.name),
    ].flatMap((finding) => tidySpan(text, finding) ?? []);
  }

  /** Runs of consecutive terms of one class; punctuation after a term ends its run. */
  private fromTags(sentences: TaggedTerm[][]): PiiFinding[] {
    const findings: PiiFinding[] = [];
    for (const terms of sentences) {
      const caseless = !terms.some((term) => /\p{Lu}/u.test(term.text));
      const classes = widenPeople(terms, terms.map((term) => classify(term, caseless)));
      let run: Run | undefined;
      const close = (): void => {
        if (run) findings.push(...this.toFinding(run));
        run = undefined;
      };
      terms.forEach((term, index) => {
        const type = continuesName(run, term, terms[index + 1]) ?? classes[index];
        const merged = run && type ? merge(run.type, type) : undefined;
        if (run && merged) {
          run.type = merged;
          run.terms.push(term);
        } else {
          close();
          if (type) run = { type, terms: [term], afterPossessive: /['’]s$/.test(terms[index - 1]?.text ?? '') };
        }
        // Punctuation and possessives end a run, except the full stop of an initial ("Faina D. Yefremova").
        if (endsRun(term)) close();
      });
      close();
    }
    return findings;
  }

  private toFinding({ type, terms, afterPossessive }: Run): PiiFinding[] {
    const first = terms[0]?.offset;
    const last = terms[terms.length - 1]?.offset;
    if (!first || !last) return [];
    let entity: string = type;
    let score = scores[type];
    if (type === 'NAME') {
      // One unknown capitalised word is as likely a product or a place; two to four with a proper noun read as a name.
      // After a possessive ("Yefremova's Cautionary Tales") a capitalised run names a thing of that person's.
      if (terms.length < 2 || terms.length > 4 || afterPossessive || !terms.some((term) => term.tags?.has('ProperNoun'))) return [];
      entity = terms.some((term) => organizationWord.test(term.text)) ? 'ORGANIZATION' : 'PERSON';
    }
    // `Jorien van der Hoeven`: capitalised words joined by a name particle are a person's name.
    if (entity === 'PERSON' && type === 'NAME' && terms.some((term) => nameParticles.has(term.text))) score = scores.PERSON;
    if (type === 'PERSON' && terms.every((term) => term.tags?.has('Hyphenated'))) score = hyphenatedPersonScore;
    // `St`, `st`: compromise reads street abbreviations as places; a real two-letter place is written in capitals (UK).
    const only = terms.length === 1 ? (terms[0]?.text ?? '') : '';
    if (type === 'LOCATION' && /^\p{L}{1,2}\.?$/u.test(only) && !/^\p{Lu}+$/u.test(only)) return [];
    return [{ type: entity, start: first.start, end: last.start + last.length, score, recognizer: this.name }];
  }
}

/** `Springfield, Illinois`, `Kiel, Germany`: a capitalised run before a comma and a known region or country is a town. */
function placesBeforeRegions(text: string, tagged: readonly PiiFinding[], recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const place of tagged) {
    if (place.type !== 'LOCATION') continue;
    const town = /(?:^|[^\p{L}])(\p{Lu}[\p{L}'’-]*(?: \p{Lu}[\p{L}'’-]*){0,2}), $/u.exec(text.slice(Math.max(0, place.start - 40), place.start));
    const name = town?.[1];
    if (!name || stopwords.has(name) || name.split(' ').every((word) => isCommonWord(word))) continue;
    findings.push({ type: 'LOCATION', start: place.start - name.length - 2, end: place.start - 2, score: 0.75, recognizer });
  }
  return findings;
}
