import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every Attest API key starts with this, so secret scanners and people recognise one (cf. GitHub's `ghp_`). */
export const API_KEY_PREFIX = 'atk_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOOKUP_ID_LENGTH = 12;
const MIN_SECRET_LENGTH = 32;
const SECRET_BYTES = 32;
/** `atk_<12 base62: public lookup id>_<≥32 base62: secret>`; base62 so a double-click selects the whole key. */
export const API_KEY_PATTERN = /^atk_([0-9A-Za-z]{12})_([0-9A-Za-z]{32,128})$/;

export interface ParsedApiKey {
  /** The public part stored in clear (`api_key.prefix`) and shown in listings. */
  lookupId: string;
  /** The whole key, needed to compute the hash. */
  key: string;
}

function base62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (out.length < length) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

/**
 * A new random key: 256 bits of secret, base62. Show it once, store only {@link hashApiKey}.
 *
 * @example
 * const { key, lookupId } = generateApiKey(); // key = 'atk_3fK9…_Zq…'
 */
export function generateApiKey(): ParsedApiKey {
  const lookupId = base62(randomBytes(9), LOOKUP_ID_LENGTH);
  // 43 base62 digits hold 256 bits (62^43 > 2^256).
  const secret = base62(randomBytes(SECRET_BYTES), 43);
  return { lookupId, key: `${API_KEY_PREFIX}${lookupId}_${secret}` };
}

/** Splits a presented key; null for anything that is not shaped like an Attest key (no database lookup needed). */
export function parseApiKey(candidate: string): ParsedApiKey | null {
  const match = API_KEY_PATTERN.exec(candidate);
  if (!match?.[1] || !match[2] || match[2].length < MIN_SECRET_LENGTH) return null;
  return { lookupId: match[1], key: candidate };
}

/**
 * The stored form of a key. The secret is 256 random bits, so a fast hash is as strong as a slow KDF here and keeps
 * per-request checks cheap (NIST SP 800-63B §5.1.1.2 asks for salted slow hashes for memorised secrets, not
 * for random tokens of this size).
 *
 * @example
 * hashApiKey('atk_…') // 'sha256:9f86d0…'
 */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatchesHash(key: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashApiKey(key), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** What a listing shows instead of the key. */
export function maskedApiKey(lookupId: string): string {
  return `${API_KEY_PREFIX}${lookupId}_…`;
}
