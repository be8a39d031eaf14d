// Cues that widen compromise's lexicon: the words around a capitalised run, firm-name and address-block shapes.
import { type PiiFinding } from '../pii.types';

export const stopwords = new Set(
  'I The A An This That These Those It He She We They You My Your Our Their His Her What When Where Why How Who Which If But And Or So Yes No Hi Hello Dear Thanks Please Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December'.split(
    ' ',
  ),
);

/** Words around a capitalised run that tell what it names (Presidio's spaCy model learns the same cues). */
const personCue = /(?:\b(?:my name is|name's|i am|i'm|called|named|mr|mrs|ms|miss|dr|prof|dear|hi|hello|signed|regards,?|by|with|thanks,?|under|says|said|user:|name\??:?)\.?\s+)$/i;
/** Verbs people do right after their name ("Tilly Nicholson lives at", "Alvir spent a year"). */
const personFollower = /^ (?:lives|lived|is from|was born|will be|says|said|spent|had|has|wrote|listed|told|asked|replied)\b/;
/** Speaker labels in a transcript (`Nicole: Remember...`), unless the label is a form field. */
const speakerLabel = /^[ \t>]*(\p{Lu}[\p{L}'’-]+):\s*["“]?\p{Lu}/gmu;
const fieldLabels = new Set(
  'Name Phone Fax Mobile Desk Email E-mail Address User Bot Assistant System Agent Customer Support Operator Where When Date Subject From To Re Note Notes Tel Website Company Title Job Cc Bcc Q A Answer Question Time Location Country City Zip Personal Info'.split(' '),
);
const organizationSuffix =
  /^(?:\s+(?:Inc|Ltd|LLC|LLP|Corp|Corporation|Company|Co|GmbH|AG|SA|plc|Group|Holdings|Bank|Foundation|Institute|University|Associates|Partners|Technologies|Systems|Solutions))\b\.?/;
const organizationCue = /(?:\b(?:works? (?:at|for)|worked (?:at|for)|employed by|company|firm|employer|at|joined)\s+)$/i;
const locationCue = /(?:\b(?:live in|lives in|living in|moved to|born in|in|near|visit(?:ed|ing)?|city of|town of|where:)\s+)$/i;

/** A run of capitalised words (letters of any script, inner hyphens and apostrophes), e.g. `Szabina J Gelencsér`. */
const capitalisedRun = /\p{Lu}(?:[\p{L}'’-]*\p{L}|\.)?(?:[ ](?:\p{Lu}(?:[\p{L}'’-]*\p{L}|\.)?|(?:van|von|de|da|del|der|di|do|dos|le|la|bin|al)(?= \p{Lu}))){0,4}(?![\p{L}\p{N}])/gu;
/** A line of an address block that names a place: one to four capitalised words, possibly in capitals, e.g. `OULU`. */
const placeLine = /^[ \t>]*(\p{Lu}[\p{L}'’-]*(?: (?:\p{Lu}[\p{L}'’-]*|de|del|la|do|da|dos)){0,3})[ \t]*$/u;
/** An address line before it: a house number and street, or an apartment/suite line. */
const addressLine = /\d|\b(?:Apt|Suite|Unit|Box|Floor)\b/;

const firmPattern = /(?<![,:]\s?)\b\p{Lu}[\p{L}'-]{1,30},? \p{Lu}[\p{L}'-]{1,30},? (?:and|&) \p{Lu}[\p{L}'-]{1,30}\b/gu;
const leadingDirection = /^(?:(?:Southern|Northern|Eastern|Western|Central|North|South|East|West|city|town|the)\s+)+/i;
const leadingTitle = /^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev)\.?\s+)+/i;
const trailingNoise = /(?:['’]s|[\s.,;:!?'"’)-])+$/;
/** A capitalised word, an initial, or a generational suffix that continues a name (`Bryan` + ` Maclean`, ` II`). */
const nameContinuation = /^ (?:\p{Lu}[\p{Ll}'’-]+|\p{Lu}\.|[IVX]{1,4}\b|Jr\.|Sr\.)/u;

/**
 * Puts a named-entity span on the name itself: titles and possessives are dropped (Presidio's datasets label
 * `Dr. [Kyle Kuefer]`, `[Amanda]'s`) and a person's name is extended over the surname or suffix that follows.
 */
export function tidySpan(text: string, finding: PiiFinding): PiiFinding {
  let { start, end } = finding;
  let value = text.slice(start, end);
  const prefix = finding.type === 'PERSON' ? leadingTitle : finding.type === 'LOCATION' ? leadingDirection : null;
  const title = prefix?.exec(value);
  if (title && title[0].length < value.length) {
    start += title[0].length;
    value = value.slice(title[0].length);
  }
  // Organisation names end with a capitalised word: "Avalara office" names Avalara.
  if (finding.type === 'ORGANIZATION') {
    const lowerTail = /(?: \p{Ll}[\p{L}-]*)+$/u.exec(value);
    if (lowerTail && lowerTail[0].length < value.length && /^\p{Lu}/u.test(value)) {
      end -= lowerTail[0].length;
      value = value.slice(0, value.length - lowerTail[0].length);
    }
  }
  const ownEnd = trailingNoise.exec(value);
  if (ownEnd && ownEnd[0].length < value.length) end -= ownEnd[0].length;
  // "Yefremova's Cautionary Tales": the name ends at a possessive or punctuation; only a bare name continues.
  if (finding.type === 'PERSON' && !ownEnd) {
    for (let step = 0; step < 3; step++) {
      const next = nameContinuation.exec(text.slice(end, end + 40));
      if (!next) break;
      end += next[0].length;
    }
  }
  const noise = trailingNoise.exec(text.slice(start, end));
  if (noise && noise[0].length < end - start) end -= noise[0].length;
  return { ...finding, start, end };
}

/** "Davis, Reynolds and Williamson": the surname-list form of firm names (law firms, agencies). */
export function findFirmNames(text: string, recognizer: string): PiiFinding[] {
  return [...text.matchAll(firmPattern)].map((match) => ({
    type: 'ORGANIZATION',
    start: match.index,
    end: match.index + match[0].length,
    score: 0.9,
    recognizer,
  }));
}

/** Capitalised runs classified by the words around them; speaker labels of transcripts. */
export function findByCues(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const match of text.matchAll(capitalisedRun)) {
    const value = match[0].replace(/\.$/, '');
    const start = match.index;
    if (stopwords.has(value)) continue;
    const before = text.slice(Math.max(0, start - 24), start);
    const after = text.slice(start + value.length, start + value.length + 24);
    const suffix = organizationSuffix.exec(after);
    const finding = (type: string, score: number, end = start + value.length): void => {
      findings.push({ type, start, end, score, recognizer });
    };
    if (suffix) finding('ORGANIZATION', 0.65, start + value.length + suffix[0].length);
    else if (personCue.test(before) || personFollower.test(after)) finding('PERSON', 0.6);
    else if (organizationCue.test(before)) finding('ORGANIZATION', 0.5);
    else if (locationCue.test(before)) finding('LOCATION', 0.5);
  }
  for (const match of text.matchAll(speakerLabel)) {
    const name = match[1];
    if (!name || fieldLabels.has(name) || stopwords.has(name)) continue;
    const start = match.index + match[0].indexOf(name);
    findings.push({ type: 'PERSON', start, end: start + name.length, score: 0.55, recognizer });
  }
  return findings;
}

/** The town line of a postal address block (the line after a street or suite line). */
export function findAddressPlaces(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  let offset = 0;
  let previous = '';
  for (const line of text.split('\n')) {
    const match = addressLine.test(previous) ? placeLine.exec(line) : null;
    if (match?.[1] && !stopwords.has(match[1])) {
      const start = offset + line.indexOf(match[1]);
      findings.push({ type: 'LOCATION', start, end: start + match[1].length, score: 0.6, recognizer });
    }
    if (line.trim() !== '') previous = line;
    offset += line.length + 1;
  }
  return findings;
}
