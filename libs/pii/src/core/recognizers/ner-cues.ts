// Cues that widen compromise's lexicon: the words around a capitalised run, and firm-name shapes. Scores rank the
// evidence: a decisive cue ("originally from", "Ltd") outranks compromise's lexicon guess (0.85 for a person), a weak
// one ("in") only outranks an unknown capitalised run (0.5).
import { type PiiFinding } from '../pii.types';
import { isCommonWord, isGivenName } from './ner-lexicon';

export const stopwords = new Set(
  "I I'm I'd I've I'll The A An This That These Those It He She We They You My Your Our Their His Her What When Where Why How Who Which If But And Or So Yes No Hi Hello Dear Thanks Please Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December".split(
    ' ',
  ),
);

export const cueScores = { decisive: 0.9, strong: 0.8, person: 0.6, weakPlace: 0.55, weakOrganization: 0.45 } as const;

/** Words around a capitalised run that tell what it names (Presidio's spaCy model learns the same cues). */
const personCue =
  /(?:\b(?:my name is|name is|name's|surname is|maiden name is|i am|i'm|call(?:s|ed)? me|known as|called|named|named (?:him|her)|mr|mrs|ms|miss|mx|dr|prof|dear|hi|hello|signed|regards,?|by|with|thanks,?|under|says|said|starring|featuring|user:|name\??:?|friend|colleague|boss|manager|wife|husband|son|daughter|brother|sister|mother|father|mum|mom|dad|uncle|aunt|cousin|nephew|niece|grandson|granddaughter|girlfriend|boyfriend|fiancée?|neighbou?r|patient|assistant to|met|meet|meeting|ask|asked|tell|told|thank|thanked|married)\.?\s+)$/i;
/** Verbs only people do, right after their name ("Tilly Nicholson lives at", "Alvir just spent a year"). */
const personFollower =
  /^,? (?:(?:just|also|still|never|always|really|then|already|later|once) )?(?:lives|lived|is from|was born|will be|says|said|spent|had|has|wrote|listed|told|asked|replied|thinks|thought|wants|wanted|loves|loved|knows|knew|married|smiled|laughed|nodded|explained|agreed|speaks|spoke)\b/;
/** A sentence that opens by addressing someone: "Warrane, can I please speak to your boss?" */
const vocative = /(?:^|[.!?]\s+|\n)(\p{Lu}[\p{L}'’-]+), (\p{L}+)/gu;
const vocativeFollowers = new Set('can could would will please do did have are is i you we thank thanks how what where when why who listen look tell let'.split(' '));
/** Speaker labels in a transcript (`Nicole: Remember...`), unless the label is a form field. */
const speakerLabel = /^[ \t>]*(\p{Lu}[\p{L}'’-]+):\s*["“]?\p{Lu}/gmu;
const fieldLabels = new Set(
  'Name Phone Fax Mobile Desk Email E-mail Address User Bot Assistant System Agent Customer Support Operator Where When Date Subject From To Re Note Notes Tel Website Company Title Job Cc Bcc Q A Answer Question Time Location Country City Zip Personal Info'.split(' '),
);

/** Legal forms and institution words that end an organisation's name (`Acme Ltd`, `Deutsche Bank`). */
const suffixWords =
  'Inc|Incorporated|Ltd|Limited|LLC|LLP|Corp|Corporation|Company|Co|GmbH|AG|SA|S\\.A|NV|N\\.V|BV|B\\.V|AB|ASA|Oy|SpA|S\\.p\\.A|Pty|KG|SE|plc|PLC|Group|Holdings|Bank|Foundation|Institute|University|College|Hospital|Clinic|Associates|Partners|Technologies|Systems|Solutions|Agency|Association|Society|Trust|Council|Authority|Ministry|Airlines|Motors|Pharmaceuticals|Laboratories';
const organizationSuffix = new RegExp(`^\\s+(?:${suffixWords})\\b\\.?`);
const endsWithOrganizationSuffix = new RegExp(`. (?:${suffixWords})$`);
/** Institution words that open an organisation's name (`University of Leeds`, `Bank of Montreal`). */
const organizationPrefix =
  /\b(?:University|Bank|Institute|Museum|Ministry|Department|College|School|Hospital|Academy|Church|Federal Reserve Bank|Royal Society) of(?: the)? \p{Lu}[\p{L}'’-]*(?: \p{Lu}[\p{L}'’-]*){0,2}/gu;
/** What an organisation is said to be: "Coden is a design agency", "Telenav, a software company". */
const organizationKind =
  /^,?(?: is| was|,) (?:a|an|the)(?: [\p{Ll}-]+){0,3} (?:company|agency|firm|startup|start-up|business|brand|corporation|manufacturer|retailer|bank|consultancy|provider|studio|nonprofit|charity|organi[sz]ation|publisher|subsidiary|vendor|supplier|insurer|employer|enterprise|conglomerate)\b/u;
/** What only organisations do: "Exversion was founded in 1977", "Acme's shareholders". */
const organizationFollower =
  /^(?: (?:was|were) (?:founded|established|incorporated|acquired|listed)| (?:is|was) (?:headquartered|listed on)| (?:went public|filed for bankruptcy)|['’]s? (?:ceo|cfo|founders?|headquarters|shareholders|shares|stock|employees|staff|board|subsidiary|subsidiaries|spokes(?:person|man|woman)|customer (?:service|support)|support team)\b)/i;
const decisiveOrganizationCue =
  /(?:\b(?:employed (?:by|at)|employee of|works? (?:at|for)|worked (?:at|for)|working (?:at|for)|(?:years?|months?|stint|internship|job|career|position|role) (?:at|with)|ceo of|founder of|co-founder of|president of|chairman of|director of|acquired by|subsidiary of|merged with|shares (?:of|in))\s+)$/i;
const weakOrganizationCue = /(?:\b(?:company|firm|employer|at|joined)\s+)$/i;
const decisivePlaceCue =
  /(?:\b(?:originally from|born in|live in|lives in|lived in|living in|moved to|moving to|moved (?:here )?from|relocated to|returned to|return to|travel(?:l)?(?:ing|ed)? to|flew to|flying to|trip to|holiday in|vacation in|arrived (?:at|in)|headquartered in|based in|located in|city of|town of|village of|capital of|native of|hails from|suburbs? of|outskirts of|(?:i am|i'm|we are|we're) (?:in|from)|(?:north|south|east|west) of|(?:weather|temperature|population|mayor|streets) (?:in|of)|where:)\s+)$/i;
/** Journeys point at places, though "went to Harvard" names an organisation: outranks a lexicon place, not a person. */
const strongPlaceCue =
  /(?:\b(?:(?:flights?|trains?|bus|drive|road|trip|journey|route|tickets?|going|go|went|fly|head(?:ed|ing)?|travel(?:l)?(?:ing|ed)?|move|moving|emigrated|commute) to|(?:flights?|trains?) from)\s+)$/i;
/** Words after a name that make it a place: "the Leeds area", "Lyon airport". */
const placeFollower = /^ (?:area|region|district|county|province|state|city|town|village|suburb|neighbou?rhood|airport|harbou?r)\b/;
const weakPlaceCue = /(?:\b(?:in|near|visit(?:ed|ing)?)\s+)$/i;

/** A run of capitalised words (letters of any script, inner hyphens and apostrophes), e.g. `Szabina J Gelencsér`. */
const capitalisedRun = /\p{Lu}(?:[\p{L}'’-]*\p{L}|\.)?(?:[ ](?:\p{Lu}(?:[\p{L}'’-]*\p{L}|\.)?|(?:van|von|de|da|del|der|di|do|dos|le|la|bin|al)(?= \p{Lu}))){0,4}(?![\p{L}\p{N}])/gu;
const firmPattern = /(?<![,:]\s?)\b\p{Lu}[\p{L}'-]{1,30},? \p{Lu}[\p{L}'-]{1,30},? (?:and|&) \p{Lu}[\p{L}'-]{1,30}\b/gu;
/** "founders: Eklund, Michael and Hodge": a list of single capitalised words. */
const nameList = /\b\p{Lu}[\p{L}'’-]{1,30}(?:, \p{Lu}[\p{L}'’-]{1,30}){1,6},? (?:and|&) \p{Lu}[\p{L}'’-]{1,30}\b/gu;
/** A leading number that belongs to a company name (`48 Factoring Inc`, `3 Sisters Ltd`). */
const leadingNumber = /(?:^|[\s(])(\d{1,4} )$/;

/** Drops leading words that cannot start a name ("I'm Abelardo Trevisano" names Abelardo Trevisano). */
function withoutLeadingStopwords(value: string, start: number): { value: string; start: number } {
  const words = value.split(' ');
  let dropped = 0;
  while (dropped < words.length - 1 && stopwords.has(words[dropped] ?? '')) dropped++;
  const prefixLength = words.slice(0, dropped).join(' ').length + (dropped > 0 ? 1 : 0);
  return { value: value.slice(prefixLength), start: start + prefixLength };
}

/** The legal form or institution word that ends an organisation's name, inside the run or right after it. */
function organizationSuffixOf(value: string, after: string): string | undefined {
  const following = organizationSuffix.exec(after);
  if (following) return following[0];
  // "Acme Corp." keeps the full stop of its abbreviation; the run itself already holds the suffix.
  return endsWithOrganizationSuffix.test(value) ? (/^\.(?!\S)/.exec(after)?.[0] ?? '') : undefined;
}

/**
 * "Davis, Reynolds and Williamson": the surname-list form of firm names (law firms, agencies). A list with a given
 * name in it ("Kowalczyk, Peter and Dunmore") names people, unless an employment cue comes before it.
 */
export function findFirmNames(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const match of text.matchAll(firmPattern)) {
    const before = text.slice(Math.max(0, match.index - 40), match.index);
    const employer = decisiveOrganizationCue.test(before) || weakOrganizationCue.test(before);
    if (!employer && match[0].split(/,? (?:and |& )?/).some(isGivenName)) continue;
    pushFinding(findings, 'ORGANIZATION', match.index, match[0], recognizer, cueScores.decisive);
  }
  return findings;
}

/** The type of a capitalised run by the words around it, the most decisive evidence first. */
function classifyByCues(before: string, after: string): [type: string, score: number] | undefined {
  if (decisivePlaceCue.test(before)) return ['LOCATION', cueScores.decisive];
  if (organizationKind.test(after)) return ['ORGANIZATION', cueScores.decisive];
  if (strongPlaceCue.test(before) || placeFollower.test(after)) return ['LOCATION', cueScores.strong];
  if (decisiveOrganizationCue.test(before) || organizationFollower.test(after)) return ['ORGANIZATION', cueScores.strong];
  if (personCue.test(before) || personFollower.test(after)) return ['PERSON', cueScores.person];
  if (weakPlaceCue.test(before)) return ['LOCATION', cueScores.weakPlace];
  if (weakOrganizationCue.test(before)) return ['ORGANIZATION', cueScores.weakOrganization];
  return undefined;
}

/** Capitalised runs classified by the words around them; speaker labels and vocatives. */
export function findByCues(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const match of text.matchAll(capitalisedRun)) {
    const { value, start } = withoutLeadingStopwords(match[0].replace(/\.$/, ''), match.index);
    if (stopwords.has(value)) continue;
    const end = start + value.length;
    const before = text.slice(Math.max(0, start - 40), start);
    const after = text.slice(end, end + 60);
    const suffix = organizationSuffixOf(value, after);
    if (suffix !== undefined) {
      const number = leadingNumber.exec(before)?.[1] ?? '';
      findings.push({ type: 'ORGANIZATION', start: start - number.length, end: end + suffix.length, score: cueScores.decisive, recognizer });
      continue;
    }
    const verdict = classifyByCues(before, after);
    if (verdict) findings.push({ type: verdict[0], start, end, score: verdict[1], recognizer });
  }
  for (const match of text.matchAll(organizationPrefix)) pushFinding(findings, 'ORGANIZATION', match.index, match[0], recognizer, cueScores.decisive);
  for (const match of text.matchAll(speakerLabel)) {
    const name = match[1];
    if (!name || fieldLabels.has(name) || stopwords.has(name)) continue;
    pushFinding(findings, 'PERSON', match.index + match[0].indexOf(name), name, recognizer, 0.55);
  }
  for (const match of text.matchAll(vocative)) {
    const [whole, name, next] = match;
    if (!name || !next || !vocativeFollowers.has(next.toLowerCase()) || stopwords.has(name) || isCommonWord(name)) continue;
    pushFinding(findings, 'PERSON', match.index + whole.indexOf(name), name, recognizer, 0.55);
  }
  return findings;
}

/** In an all-lower-case chat message the capitals are gone, but "my name is" still introduces a name. */
const lowercaseNameCue = /\b(?:(?:my|his|her|their|your|maiden|first|last|full|sur) ?name is|name's|surname is|call me|calls me|called me|named (?:him|her))\s+(\p{Ll}[\p{L}'’-]*(?: \p{Ll}[\p{L}'’-]*){0,2})/gu;

/** Names after "my name is" and the like in lower-case text (`my name is borna jerković but...`). */
export function findLowercaseNames(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const match of text.matchAll(lowercaseNameCue)) {
    const words = match[1]?.split(' ') ?? [];
    // The name ends at the first ordinary word: "borna jerković but everyone..." names borna jerković.
    const firstOrdinary = words.findIndex((word) => stopwords.has(capitalise(word)) || isCommonWord(word));
    const name = firstOrdinary < 0 ? words : words.slice(0, firstOrdinary);
    if (name.length === 0) continue;
    pushFinding(findings, 'PERSON', match.index + match[0].length - (match[1]?.length ?? 0), name.join(' '), recognizer, cueScores.person);
  }
  return findings;
}

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

function pushFinding(findings: PiiFinding[], type: string, start: number, value: string, recognizer: string, score: number): void {
  findings.push({ type, start, end: start + value.length, score, recognizer });
}

/**
 * Names in a coordinated list share their type: when compromise knows one member of "Eklund, Michael and Hodge" as a
 * person, the others are people too (scored just above an unknown capitalised run).
 */
export function findListedNames(text: string, people: readonly PiiFinding[], recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const match of text.matchAll(nameList)) {
    const listEnd = match.index + match[0].length;
    if (!people.some((person) => person.start >= match.index && person.end <= listEnd)) continue;
    for (const member of match[0].matchAll(/\p{Lu}[\p{L}'’-]+/gu)) {
      if (stopwords.has(member[0]) || isCommonWord(member[0])) continue;
      pushFinding(findings, 'PERSON', match.index + member.index, member[0], recognizer, cueScores.person);
    }
  }
  return findings;
}

/** The patterns above, for the catastrophic-backtracking check (regex-safety.spec.ts). */
export const cuePatterns: readonly RegExp[] = [
  personCue, personFollower, vocative, speakerLabel, organizationSuffix, endsWithOrganizationSuffix, organizationPrefix,
  organizationKind, organizationFollower, decisiveOrganizationCue, weakOrganizationCue, decisivePlaceCue, strongPlaceCue,
  placeFollower, weakPlaceCue, capitalisedRun, firmPattern, nameList, leadingNumber, lowercaseNameCue,
];
