import { type CountryCode, findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js';
import { PiiError, PiiErrorCode } from '../pii.errors';
import { type PiiFinding, type Recognizer, type RecognizerContext } from '../pii.types';

/** Presidio's default phone regions, so results compare with it. */
export const defaultPhoneRegions: readonly string[] = ['US', 'GB', 'DE', 'FR', 'IL', 'IN', 'CA', 'BR'];

/**
 * Phone numbers read by libphonenumber-js (Google's libphonenumber metadata): numbers in international form anywhere,
 * national forms for each default region. A number written with a `+` prefix scores higher because no region is
 * guessed.
 *
 * @example
 * new PhoneRecognizer(['GB']).analyze('ring 07700 900123', { entities: undefined });
 */
export class PhoneRecognizer implements Recognizer {
  readonly name = 'phone';
  readonly supportedEntities = ['PHONE_NUMBER'] as const;
  /** Nouns and verbs of telephony (Presidio's list plus the ways people ask to be called, texted or answered). */
  readonly contextWords = [
    'phone', 'phones', 'phoned', 'call', 'calls', 'calling', 'callback', 'tel', 'telephone', 'cellphone', 'mobile', 'cell',
    'landline', 'fax', 'whatsapp', 'ring', 'contact', 'desk', 'office', 'reach', 'reachable', 'sms', 'text', 'texts',
    'texting', 'message', 'messages', 'voicemail', 'dial', 'dialed', 'dialled', 'answer', 'answering', 'hotline',
    'helpline', 'ext', 'extension',
  ];
  private readonly regions: CountryCode[];

  constructor(regions: readonly string[] = defaultPhoneRegions) {
    this.regions = regions.map((region) => {
      const code = region.toUpperCase();
      if (!isSupportedCountry(code)) {
        throw new PiiError(PiiErrorCode.InvalidRecognizer, `phone: unknown region ${JSON.stringify(region)}`);
      }
      return code;
    });
  }

  analyze(text: string, context: RecognizerContext): PiiFinding[] {
    if (context.entities && !context.entities.has('PHONE_NUMBER')) return [];
    const found = new Map<string, PiiFinding>();
    // libphonenumber walks the whole text once per region: hand it only the digit runs that could be numbers.
    for (const candidate of text.matchAll(candidatePattern)) {
      // libphonenumber costs up to a few milliseconds per digit-dense window: adversarial input must hit the budget.
      context.checkDeadline?.();
      const windowStart = Math.max(0, candidate.index - 1);
      const window = text.slice(windowStart, candidate.index + candidate[0].length + 1);
      for (const region of this.regions) {
        for (const match of findPhoneNumbersInText(window, { defaultCountry: region })) {
          const start = windowStart + match.startsAt;
          const end = windowStart + match.endsAt;
          const key = `${start}:${end}`;
          const value = text.slice(start, end);
          if (found.has(key) || looksLikeOtherIdentifier(value)) continue;
          found.set(key, { type: 'PHONE_NUMBER', start, end, score: scoreOf(value), recognizer: this.name });
        }
      }
      // Written with a country code, a number that is only "possible" (right length, unassigned range) is still
      // somebody's number as far as a leak is concerned; fictional numbers in test data are exactly that.
      if (window.includes('+')) {
        for (const match of findPhoneNumbersInText(window, { extended: true })) {
          const start = windowStart + match.startsAt;
          const end = windowStart + match.endsAt;
          const key = `${start}:${end}`;
          if (found.has(key) || text[start] !== '+') continue;
          found.set(key, { type: 'PHONE_NUMBER', start, end, score: 0.55, recognizer: this.name });
        }
      }
    }
    return [...found.values()];
  }
}

/** A run of digits with the separators phone numbers are written with, 7 to 20 digits long. */
const candidatePattern = /[+(]?\d[\d\s()./-]{5,28}\d(?:\s?(?:x|ext\.?)\s?\d{1,5})?/g;

/**
 * National layouts of short numbers: three or more groups of 2 to 4 digits with one separator (`71-33-52-22`,
 * `78 651 450`), or an area code in brackets (`(37) 788-063`). Order numbers, SKUs and ids are written as one run or
 * two groups; dotted groups are left out because versions are written that way.
 */
const nationalLayout = /^(?:\(\d{2,4}\) ?\d{2,4}[- ]\d{2,4}|\d{2,4}([- ])\d{2,4}\1\d{2,4}(?:\1\d{2,4}){0,2})$/;

/** `12 345 678`: a quantity with spaces between its thousands (SI and most of Europe write counts so). */
const thousandsGrouping = /^\d{1,3}(?: \d{3})+$/;

/**
 * A `+` or `00` prefix names the country: strong. A grouped national number of 9+ digits: medium. A shorter number in
 * a phone layout: just above the threshold. Other short or ungrouped digit runs (order numbers, tracking ids) and
 * counts grouped in thousands need a context word ("phone", "call") to pass the threshold.
 */
function scoreOf(value: string): number {
  const digits = value.replace(/\D/g, '').length;
  const grouped = /[\s()./-]/.test(value);
  if (value.startsWith('+') || (value.startsWith('00') && grouped)) return 0.75;
  if (thousandsGrouping.test(value)) return 0.35;
  if (grouped && digits >= 9) return 0.6;
  if (nationalLayout.test(value)) return 0.45;
  return grouped ? 0.35 : 0.3;
}

/** `2024 03 05`, `05-03-2024`: a year of this or the last century with a month and a day read as a date. */
const calendarDate = /^(?:(?:19|20)\d{2}([-/. ])[01]?\d\1[0-3]?\d|[0-3]?\d([-/. ])[01]?\d\2(?:19|20)\d{2})$/;

/**
 * Shapes that some region's numbering plan accepts but that people write for other things: dotted quads (IP
 * addresses, versions), over-long national numbers, the 3-2-4 layout of US SSNs, calendar dates, and digit counts
 * outside E.164's 7..15 (ITU-T E.164 6.2.1).
 */
function looksLikeOtherIdentifier(value: string): boolean {
  const digits = value.replace(/\s?(?:x|ext\.?)\s?\d+$/, '').replace(/\D/g, '');
  // National significant numbers have at most 12 digits in every plan; longer runs without + are card or account
  // numbers (or the tail of an IBAN) that a permissive regional plan happens to accept.
  if (!/^(?:\+|00)/.test(value) && digits.length > 12) return true;
  return (
    /^\d{1,3}(?:\.\d{1,3}){3}$/.test(value) ||
    /^\d{3}([- ])\d{2}\1\d{4}$/.test(value) ||
    calendarDate.test(value) ||
    !/^\d{7,15}$/.test(digits)
  );
}

/** The patterns above, for the catastrophic-backtracking check (regex-safety.spec.ts). */
export const phonePatterns: readonly RegExp[] = [candidatePattern, nationalLayout, thousandsGrouping, calendarDate];
