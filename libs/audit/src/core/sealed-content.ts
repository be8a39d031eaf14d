import type { SealedRawContent } from '@attest/contracts';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Crypto-shredding (GDPR Art. 17): raw content a tenant chose to keep is encrypted under a key of its own per data
 * subject. The ciphertext sits in the hash-chained event forever; erasing the subject's key makes it unreadable while
 * every hash, chain link and checkpoint still verifies. AES-256-GCM (NIST SP 800-38D), 96-bit random IVs.
 */
/** `keyId`: the data subject key (a random UUID: names no one); `iv`: base64url of 12 bytes; `ciphertext`: base64url of ciphertext ‖ 16-byte tag. */
export type SealedContent = SealedRawContent;

/** What is sealed: the raw text before redaction. */
export interface RawContent {
  prompt?: string;
  response?: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** The key-encryption key must be exactly 256 bits. */
export function assertKeyEncryptionKey(kek: Buffer): void {
  if (kek.length !== DATA_KEY_BYTES) throw new Error(`the content key-encryption key must be ${DATA_KEY_BYTES} bytes, not ${kek.length}`);
}

export function generateDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

/** A data key wrapped by the key-encryption key, bound to its tenant and id (a wrapped key cannot be moved). */
export function wrapDataKey(kek: Buffer, dataKey: Buffer, tenant: string, keyId: string): Buffer {
  return encrypt(kek, dataKey, `attest-dsk-v1\u0000${tenant}\u0000${keyId}`);
}

export function unwrapDataKey(kek: Buffer, wrapped: Buffer, tenant: string, keyId: string): Buffer {
  return decrypt(kek, wrapped, `attest-dsk-v1\u0000${tenant}\u0000${keyId}`);
}

/** Seals raw content under a data subject key; the tenant and key id are authenticated data. */
export function sealContent(dataKey: Buffer, tenant: string, keyId: string, content: RawContent): SealedContent {
  const sealed = encrypt(dataKey, Buffer.from(JSON.stringify(content), 'utf8'), `attest-raw-v1\u0000${tenant}\u0000${keyId}`);
  return { alg: 'A256GCM', keyId, iv: sealed.subarray(0, IV_BYTES).toString('base64url'), ciphertext: sealed.subarray(IV_BYTES).toString('base64url') };
}

/** Opens sealed content; throws when the key, tenant or bytes do not match (GCM authentication). */
export function openContent(dataKey: Buffer, tenant: string, sealed: SealedContent): RawContent {
  const bytes = Buffer.concat([Buffer.from(sealed.iv, 'base64url'), Buffer.from(sealed.ciphertext, 'base64url')]);
  const parsed: unknown = JSON.parse(decrypt(dataKey, bytes, `attest-raw-v1\u0000${tenant}\u0000${sealed.keyId}`).toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('sealed content is not an object');
  const { prompt, response } = parsed as Record<string, unknown>;
  return { ...(typeof prompt === 'string' ? { prompt } : {}), ...(typeof response === 'string' ? { response } : {}) };
}

/**
 * How the key table names a data subject: HMAC-SHA256 under a key derived from the KEK, so the database never holds
 * the subject's identifier (a patient number, an e-mail) in clear, yet an erasure request finds its keys.
 */
export function subjectReference(kek: Buffer, tenant: string, subjectId: string): string {
  const macKey = createHmac('sha256', kek).update('attest-subject-ref-v1').digest();
  return createHmac('sha256', macKey).update(`${tenant}\u0000${subjectId}`, 'utf8').digest('hex');
}

/** True for a JSON value shaped like {@link SealedContent} (as read back from a leaf). */
export function isSealedContent(value: unknown): value is SealedContent {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['alg'] === 'A256GCM' && typeof record['keyId'] === 'string' && typeof record['iv'] === 'string' && typeof record['ciphertext'] === 'string';
}
