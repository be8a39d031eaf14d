import fc from 'fast-check';
import { privateKeyBlock } from './pii-samples';

/**
 * fast-check arbitraries for hostile text, shared by the PII property specs: every UTF-16 code unit (lone surrogates,
 * NUL and other controls included), mixed scripts, bidi overrides, combining marks, and fragments that look like PII.
 */

/** Single characters or short runs chosen because they have broken text handling elsewhere. */
export const trickyFragments: readonly string[] = [
  '\u0000',
  '\ud800', // lone high surrogate
  '\udc00', // lone low surrogate
  '\udbff\udfff', // the last astral code point
  '\u202e', // right-to-left override
  '\u200d', // zero-width joiner
  '\ufeff', // byte-order mark
  '\u2028', // line separator
  '\r\n',
  '\r',
  '\t',
  '\u000b',
  'İ', // lower-cases to two code units
  'ß',
  'ﬃ',
  'е', // Cyrillic e, looks Latin
  'e\u0301',
  '👩‍👩‍👧',
  '😀',
  '١٢٣٤', // Arabic-Indic digits
  '４１１１', // full-width digits
  'مرحبا',
  '東京都',
  'Ελληνικά',
  '-----BEGIN',
  '-----END',
  '@',
  '.',
  ' ',
  '\n\n',
];

/** Values the built-in recognizers find with certainty; planted into hostile text by the redaction properties. */
export const certainSecrets: readonly string[] = [
  'jane.doe@example.com',
  'ops+alerts@mail.example.org',
  '4111 1111 1111 1111',
  '378282246310005',
  'GB82 WEST 1234 5698 7654 32',
  'DE89370400440532013000',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk4',
  'ghp_Zx8vQ2mN4pL7kR1tY6wE3sA9dF5gH0jK2bC4',
  privateKeyBlock,
];

/** Any UTF-16 code unit, lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** One piece of hostile text. */
export const hostileFragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: fc.constantFrom(...trickyFragments) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom('John Smith', 'Paris', 'Acme Corporation', 'ssn', 'card', 'key:', 'My name is') },
);

/** Hostile text of a few hundred code units at most. */
export const hostileText: fc.Arbitrary<string> = fc.array(hostileFragment, { maxLength: 24 }).map((parts) => parts.join(''));

/** A short fragment repeated thousands of times (quadratic scans and backtracking show up here). */
export const repeatedPattern: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(hostileFragment, fc.constantFrom('a1', '4111 ', '-----BEGIN ', 'x@', 'AKIA', 'eyJ', 'GB82 ', '.a', '1.')), fc.integer({ min: 500, max: 12_000 }))
  .map(([unit, times]) => unit.repeat(Math.max(1, Math.floor(times / Math.max(1, unit.length)))));

/** Filler that cannot run into a planted value: any hostile text, fenced by ` | ` on both sides of each secret. */
export const fence = ' | ';

/** Hostile text with known secrets planted at random places; `secrets` lists the planted values in order. */
export const textWithSecrets: fc.Arbitrary<{ text: string; secrets: string[] }> = fc
  .array(fc.tuple(hostileText, fc.constantFrom(...certainSecrets)), { minLength: 1, maxLength: 4 })
  .chain((pairs) =>
    hostileText.map((tail) => ({
      text: pairs.map(([filler, secret]) => `${filler}${fence}${secret}${fence}`).join('') + tail,
      secrets: pairs.map(([, secret]) => secret),
    })),
  );

/** Cut positions that split `length` code units into chunks (possibly empty, possibly splitting surrogate pairs). */
export function chunksOf(text: string, cuts: readonly number[]): string[] {
  const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(text.slice(start, position));
    start = position;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** True when `text` holds a UTF-16 surrogate that is not part of a pair. */
export function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
