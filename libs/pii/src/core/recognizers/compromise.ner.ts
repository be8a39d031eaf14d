import nlp from 'compromise';
import { type NamedEntityRecognizer, type PiiFinding } from '../pii.types';
import { findAddressPlaces, findByCues, findFirmNames, stopwords, tidySpan } from './ner-cues';

/** The parts of a compromise term this recognizer reads (after `compute('offset')`). */
interface TaggedTerm {
  text: string;
  post: string;
  tags?: Set<string>;
  offset?: { start: number; length: number };
}

type TermClass = 'PERSON' | 'LOCATION' | 'ORGANIZATION' | 'NAME';

const scores: Record<TermClass, number> = { PERSON: 0.85, LOCATION: 0.7, ORGANIZATION: 0.7, NAME: 0.5 };

/** Tags of words compromise does not know as ordinary English, or knows as parts of names. */
const nameLikeTags = new Set(['Noun', 'Singular', 'ProperNoun', 'FirstName', 'LastName', 'Person', 'MaleName', 'FemaleName', 'Acronym']);

/** A word that makes a run of unknown capitalised words a company or product, not a person. */
const organizationWord =
  /^(?:Solutions|Global|Group|Act|Bank|Technologies|Technology|Systems|Partners|Capital|Labs|Media|Club|Insights|Data|Finance|Financial|Health|Software|Services|Analytics|Networks|Energy|Power|Consulting|Ventures|Investments|Holdings|Industries|International|Foundation|Institute|Company|Corporation|Inc|Ltd|LLC|Explorer|Works|Studios)$/;

function classify(term: TaggedTerm): TermClass | undefined {
  const tags = term.tags ?? new Set<string>();
  if (tags.has('Person')) return 'PERSON';
  if (tags.has('Place')) return 'LOCATION';
  if (tags.has('Organization')) return 'ORGANIZATION';
  const unknownCapitalised = /^\p{Lu}[\p{L}'’-]*\.?$/u.test(term.text) && !stopwords.has(term.text);
  return unknownCapitalised && [...tags].every((tag) => nameLikeTags.has(tag)) ? 'NAME' : undefined;
}

/** Joins two neighbouring classes: an unknown capitalised word next to a known name is part of that name. */
function merge(run: TermClass, next: TermClass): TermClass | undefined {
  if (run === next) return run;
  if (run === 'NAME' && next === 'PERSON') return 'PERSON';
  if (run === 'PERSON' && next === 'NAME') return 'PERSON';
  return undefined;
}

/**
 * PERSON, LOCATION and ORGANIZATION from compromise's tagger (its lexicon plus sentence grammar), widened by cue words
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
    return [
      ...this.fromTags(sentences),
      ...findByCues(text, this.name),
      ...findFirmNames(text, this.name),
      ...findAddressPlaces(text, this.name),
    ].map((finding) => tidySpan(text, finding));
  }

  /** Runs of consecutive terms of one class; punctuation after a term ends its run. */
  private fromTags(sentences: TaggedTerm[][]): PiiFinding[] {
    const findings: PiiFinding[] = [];
    for (const terms of sentences) {
      let run: { type: TermClass; terms: TaggedTerm[] } | undefined;
      const close = (): void => {
        if (run) findings.push(...this.toFinding(run.type, run.terms));
        run = undefined;
      };
      for (const term of terms) {
        const type = classify(term);
        const merged = run && type ? merge(run.type, type) : undefined;
        if (run && merged) {
          run.type = merged;
          run.terms.push(term);
        } else {
          close();
          if (type) run = { type, terms: [term] };
        }
        // Punctuation ends a run, except the full stop of an initial ("Faina D. Yefremova").
        if (/\S/.test(term.post) && !(term.post.trim() === '.' && /^\p{Lu}$/u.test(term.text))) close();
      }
      close();
    }
    return findings;
  }

  private toFinding(type: TermClass, terms: TaggedTerm[]): PiiFinding[] {
    const first = terms[0]?.offset;
    const last = terms[terms.length - 1]?.offset;
    if (!first || !last) return [];
    let entity: string = type;
    if (type === 'NAME') {
      // One unknown capitalised word is as likely a product or a place; two to four with a proper noun read as a name.
      if (terms.length < 2 || terms.length > 4 || !terms.some((term) => term.tags?.has('ProperNoun'))) return [];
      entity = terms.some((term) => organizationWord.test(term.text)) ? 'ORGANIZATION' : 'PERSON';
    }
    return [{ type: entity, start: first.start, end: last.start + last.length, score: scores[type], recognizer: this.name }];
  }
}
