import { isIPv6 } from 'node:net';
import { PatternRecognizer, type PatternVerdict } from './pattern-recognizer';
import { isIbanValid, isIpv4Valid, isLuhnValid, isUkNhsValid, isUsSsnValid } from './validators';

/** RFC 5321 limits the local part to 64 octets and labels to 63; the TLD is alphabetic. */
export const emailRecognizer = new PatternRecognizer(
  'email',
  [
    {
      type: 'EMAIL_ADDRESS',
      regex: /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}\b/g,
      score: 1,
    },
  ],
  ['email', 'e-mail', 'mail', 'contact'],
);

/**
 * Payment card numbers (ISO/IEC 7812): 12 to 19 digits, optional single spaces or dashes, an issuer prefix from 1 to
 * 6, and a valid Luhn check digit. Luhn-invalid numbers are dropped, not scored low.
 */
export const creditCardRecognizer = new PatternRecognizer(
  'credit-card',
  [
    {
      type: 'CREDIT_CARD',
      regex: /(?<![\w-])[1-6](?:[ -]?\d){11,18}(?![\w-])/g,
      score: 1,
      validate: (value) => {
        const digits = value.replace(/\D/g, '');
        // Separators come in the 4-4-4-4 / 4-6-5 layouts printed on cards, never one after every digit.
        if (/^(\d)\1+$/.test(digits) || !isLuhnValid(digits) || value.length - digits.length > 4) return false;
        return issuerKnown(digits) && digits.length >= 13 ? 1 : 0.35;
      },
    },
  ],
  ['card', 'credit', 'visa', 'mastercard', 'amex', 'debit', 'cc', 'payment'],
);

/**
 * Issuer identification ranges (ISO/IEC 7812 IINs) of the schemes in circulation, with their lengths. A Luhn-valid
 * number outside them, or of 12 digits, is as likely an order or tracking number: it needs a context word.
 */
const issuerRanges: readonly [RegExp, readonly number[]][] = [
  [/^4/, [13, 16, 19]], // Visa
  [/^(?:5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/, [16]], // Mastercard
  [/^3[47]/, [15]], // American Express
  [/^(?:6011|65|64[4-9])/, [16, 17, 18, 19]], // Discover
  [/^(?:35(?:2[89]|[3-8]\d)|2131|1800)/, [15, 16, 17, 18, 19]], // JCB
  [/^3(?:0[0-5]|[689])/, [14, 15, 16, 17, 18, 19]], // Diners Club
  [/^(?:5[06-9]|6\d)/, [12, 13, 14, 15, 16, 17, 18, 19]], // Maestro, UnionPay and other 6-prefixed schemes
];

function issuerKnown(digits: string): boolean {
  return issuerRanges.some(([prefix, lengths]) => prefix.test(digits) && lengths.includes(digits.length));
}

/** IBAN (ISO 13616) in electronic or grouped-by-four print form, validated by ibantools (mod 97, BBAN format). */
export const ibanRecognizer = new PatternRecognizer(
  'iban',
  [
    {
      type: 'IBAN_CODE',
      regex: /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b/g,
      score: 1,
      validate: (value, _text, start): PatternVerdict => {
        if (isIbanValid(value)) return true;
        // The optional tail may have swallowed a short word after the IBAN: retry without it.
        const shorter = value.replace(/ ?[A-Za-z0-9]{1,3}$/, '');
        return shorter !== value && isIbanValid(shorter) ? { start, end: start + shorter.length, score: 1 } : false;
      },
    },
  ],
  ['iban', 'bank', 'account', 'transfer', 'swift'],
);

/** US Social Security numbers with consistent separators; bare nine digits only score with context. */
export const usSsnRecognizer = new PatternRecognizer(
  'us-ssn',
  [
    { type: 'US_SSN', regex: /\b\d{3}([-. ])\d{2}\1\d{4}\b/g, score: 0.5, validate: isUsSsnValid },
    { type: 'US_SSN', regex: /\b\d{9}\b/g, score: 0.1, validate: isUsSsnValid },
  ],
  ['ssn', 'social', 'security', 'ssns', 'ss#', 'ssid'],
);

/** UK National Insurance numbers (HMRC NIM39110): two prefix letters with the excluded pairs, six digits, A-D. */
export const ukNinoRecognizer = new PatternRecognizer(
  'uk-nino',
  [
    {
      type: 'UK_NINO',
      regex: /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
      score: 0.6,
    },
  ],
  ['national', 'insurance', 'nino', 'ni'],
);

/** NHS numbers: ten digits in 3-3-4 groups with the mod 11 check; ambiguous with phone numbers without context. */
export const ukNhsRecognizer = new PatternRecognizer(
  'uk-nhs',
  [{ type: 'UK_NHS', regex: /\b\d{3}([- ]?)\d{3}\1\d{4}\b/g, score: 0.4, validate: isUkNhsValid }],
  ['nhs', 'health', 'patient', 'hospital', 'medical'],
);

/** Four-part dotted numbers right after these words are versions, not addresses. */
const versionWords = /(?:\bv|version|release|build|firmware|ver\.?)\s*$/i;

export const ipAddressRecognizer = new PatternRecognizer(
  'ip-address',
  [
    {
      type: 'IP_ADDRESS',
      regex: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?![\d.]\d)/g,
      score: 0.8,
      validate: (value, text, start) =>
        isIpv4Valid(value.replace(/\/\d+$/, '')) && !versionWords.test(text.slice(Math.max(0, start - 12), start)),
    },
    {
      type: 'IP_ADDRESS',
      regex: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g,
      score: 0.8,
      validate: (value) => value.length > 2 && isIPv6(value),
    },
  ],
  ['ip', 'address', 'server', 'host', 'ipv4', 'ipv6'],
);

/** Trailing sentence punctuation is not part of a URL (RFC 3986 appendix C). */
function trimUrl(value: string, _text: string, start: number): PatternVerdict {
  const trimmed = value.replace(/[.,;:!?'")\]]+$/, '');
  return trimmed.length < 8 ? false : { start, end: start + trimmed.length, score: 0.6 };
}

export const urlRecognizer = new PatternRecognizer(
  'url',
  [
    { type: 'URL', regex: /\b(?:https?|ftp):\/\/[^\s<>"'`{}|\\^]{1,2048}/gi, score: 0.6, validate: trimUrl },
    { type: 'URL', regex: /(?<![\w@./])www\.[^\s<>"'`{}|\\^]{2,2048}/gi, score: 0.6, validate: trimUrl },
  ],
  ['url', 'website', 'link', 'site', 'web'],
);
