// Places and companies read from the layout of postal addresses: the town line under a street line, the country line
// that ends in a postcode, the town after a street and a comma, and the company line of a business address block.
import { type PiiFinding } from '../pii.types';
import { isCommonWord } from './ner-lexicon';
import { stopwords } from './ner-cues';

/** Bullets, quote marks and indentation in front of a line's text. */
const linePrefix = /^[^\p{L}\p{N}\n]*/u;
/** Lower-case particles inside place names: Frankfurt am Main, Ostrov nad Ohří, Soto del Barco, Turkovice u Přelouče. */
const particles = 'am|an|de|del|der|di|do|da|dos|das|la|le|les|u|nad|pod|sur|upon|on|en|im|y';
const placeWords = `\\p{Lu}[\\p{L}'’.-]*(?: (?:\\p{Lu}[\\p{L}'’.-]*|(?:${particles})(?= \\p{Lu}))){0,4}(?: \\(\\p{Lu}[\\p{L}'’ -]{0,30}\\))?`;
/** A line that is only a place name (`LAPPEENRANTA`, `Colle Di Tora`, `ΑΣΚΕΙΑ (ΑΣΣΕΙΑ)`). */
const placeLine = new RegExp(`^(${placeWords})[ \\t]*$`, 'u');
/** A country or region line that ends in a postcode (`Uruguay 77212`, `New Zealand 57006`). */
const postcodeLine = new RegExp(`^(${placeWords}),? +\\d{3,6}(?:-\\d{4})?[ \\t]*$`, 'u');
/** After a street and a comma: `12 Farnell Street, Loombah`, `Dašická 688, Turkovice u Prelouce`. */
const townAfterComma = new RegExp(`, (${placeWords})(?=[ \\t]*(?:$|[,;!?\\n]|\\.(?:\\s|$)))`, 'gmu');
/** Words of address lines that are not places: apartments, post boxes, military post. */
const addressWord = /^(?:Apt|Apartment|Suite|Ste|Unit|Box|Postbox|Floor|Fl|Room|Flat|Building|Bldg|Block|PSC|CMR|APO|FPO|DPO|PO|P\.O|USNS|USS|USCGC)\b/i;
const streetWords =
  /\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Place|Pl|Boulevard|Blvd|Court|Ct|Square|Sq|Terrace|Close|Crescent|Highway|Hwy|Parkway|Rue|Via|Viale|Calle|Avenida|Avda|Rua|Strasse|Straße|Gasse|Weg|Platz|ul|Plaza|Piazza|Apt|Suite|Unit|Box|Postbox|PSC)\b/i;

/**
 * How surely a line is a street or post-box line: `strong` for a house number before the street (`12 Main Street`), a
 * street word with a number, or an apartment, suite, box or military post line; `weak` for a capitalised word before a
 * number (`Vana-Viru 25`), which an order or ticket line can look like too.
 */
function streetLine(line: string): 'strong' | 'weak' | undefined {
  const content = line.replace(linePrefix, '').trim();
  if (/^\d+\p{L}?\s.*\p{L}{2}/u.test(content) || (streetWords.test(content) && /\d/.test(content)) || addressWord.test(content)) {
    return 'strong';
  }
  return /\p{Lu}[\p{L}'’.-]+ \d+\p{L}?$/u.test(content) ? 'weak' : undefined;
}

const placeScores = { strong: 0.9, weak: 0.6 } as const;

/** A place name, not an address word, a sentence opener, or a line of ordinary English words ("Great Work"). */
function isPlaceName(value: string): boolean {
  const words = value.replace(/ \(.*\)$/, '').split(' ');
  return !addressWord.test(value) && !stopwords.has(words[0] ?? '') && !words.every((word) => isCommonWord(word) || /^\p{Ll}/u.test(word));
}

/** A short line without digits or sentence punctuation: a name, a job title, a company. */
function isShortLabelLine(line: string | undefined): boolean {
  if (line === undefined) return false;
  const content = line.replace(linePrefix, '').trim();
  return content !== '' && !/[\d:@,;!?]/.test(content) && content.split(/\s+/).length <= 6;
}

/**
 * Places from the layout of postal addresses: the town line under a street line, the country line ending in a
 * postcode, and the town after a street and a comma. Scored above compromise's guesses: a town named `Salvador` or
 * `Dolores` under a street line is a place, whatever the lexicon says.
 */
export function findAddressPlaces(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let previous = '';
  let sinceStreet = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    const content = line.replace(linePrefix, '');
    const start = offset + line.length - content.length;
    const above = streetLine(previous);
    const town = above ? placeLine.exec(content) : null;
    const country = sinceStreet <= 3 ? postcodeLine.exec(content) : null;
    const place = town?.[1] ?? country?.[1];
    if (place && isPlaceName(place)) {
      const score = town && above ? placeScores[above] : 0.8;
      findings.push({ type: 'LOCATION', start, end: start + place.length, score, recognizer });
    }
    if (line.trim() !== '') {
      sinceStreet = streetLine(line) ? 0 : sinceStreet + 1;
      previous = line;
    }
    offset += line.length + 1;
  }
  for (const match of text.matchAll(townAfterComma)) {
    const place = match[1];
    // The street part: back to the previous comma or line break, at most 60 characters.
    const segment = text.slice(Math.max(0, match.index - 60), match.index).split(/[,;\n]/).pop() ?? '';
    const street = streetLine(segment);
    if (!place || !street || !isPlaceName(place)) continue;
    findings.push({ type: 'LOCATION', start: match.index + 2, end: match.index + 2 + place.length, score: placeScores[street], recognizer });
  }
  return findings;
}

/**
 * The company line of a business address block: between a name or job-title line and the street line
 * (`Megan Carey` / `Leasing consultant` / `Fritz-Armstrong` / `12 Main Street`).
 */
export function findAddressCompanies(text: string, recognizer: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((line, index) => {
    const above = lines[index - 1];
    const twoAbove = lines[index - 2];
    const below = lines[index + 1];
    // A one-word line above could be a sign-off ("Regards"): then the block must go on above it.
    const aboveIsBlock = isShortLabelLine(above) && (/\s/.test(above?.trim() ?? '') || !isCommonWord(above?.trim() ?? '') || isShortLabelLine(twoAbove));
    if (below !== undefined && streetLine(below) === 'strong' && !streetLine(line) && isShortLabelLine(line) && aboveIsBlock) {
      const content = line.replace(linePrefix, '').trimEnd();
      const start = offset + line.length - line.replace(linePrefix, '').length;
      if (!stopwords.has(content) && !addressWord.test(content)) findings.push({ type: 'ORGANIZATION', start, end: start + content.length, score: 0.7, recognizer });
    }
    offset += line.length + 1;
  });
  return findings;
}

/** The patterns above, for the catastrophic-backtracking check (regex-safety.spec.ts). */
export const addressPatterns: readonly RegExp[] = [linePrefix, placeLine, postcodeLine, townAfterComma, addressWord, streetWords];
