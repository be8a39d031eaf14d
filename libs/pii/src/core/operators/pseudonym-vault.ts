import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { PiiError, PiiErrorCode } from '../pii.errors';

interface SealedValue {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** `<PERSON_1>`: the typed placeholder format shared by `replace` and `pseudonymise`. */
const placeholderPattern = /<([A-Z][A-Z0-9_]*)_(\d{1,6})>/g;
/** Longest placeholder the stream restorer may have to hold back. */
const longestPlaceholder = 48;

/**
 * Per-request pseudonym store: the same value always gets the same placeholder within the request (`<PERSON_1>`),
 * and originals kept for restoring are sealed with AES-256-GCM under a key that lives only in this object. Values are
 * looked up by HMAC-SHA256, never kept in clear. Create one per request and `destroy()` it when the answer is sent.
 *
 * @example
 * const vault = new PseudonymVault();
 * const { text } = engine.transform('Mail alice@example.com', findings, { '*': { operator: 'pseudonymise' } }, vault);
 * // text === 'Mail <EMAIL_ADDRESS_1>'; later: vault.restore(answer) puts the address back for the caller.
 */
export class PseudonymVault {
  private encryptionKey: Buffer | undefined;
  private readonly lookupKey: Buffer;
  private readonly placeholders = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly sealed = new Map<string, SealedValue>();

  constructor(key: Buffer = randomBytes(32)) {
    if (key.length !== 32) throw new PiiError(PiiErrorCode.VaultUnavailable, 'vault key must be 32 bytes (AES-256)');
    this.encryptionKey = Buffer.from(key);
    this.lookupKey = createHmac('sha256', key).update('attest-pii-vault-lookup').digest();
  }

  /** Number of originals held for restoring. */
  get size(): number {
    return this.sealed.size;
  }

  /**
   * The placeholder for `value` of `type`, numbered in order of first appearance per type. With `keepOriginal` the
   * value is sealed so {@link restore} can put it back; without, the placeholder is only a consistent label.
   */
  placeholderFor(type: string, value: string, keepOriginal: boolean): string {
    const key = this.requireKey();
    const lookup = createHmac('sha256', this.lookupKey).update(type).update('\u0000').update(value).digest('base64');
    let placeholder = this.placeholders.get(lookup);
    if (placeholder === undefined) {
      const number = (this.counters.get(type) ?? 0) + 1;
      this.counters.set(type, number);
      placeholder = `<${type.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_${number}>`;
      this.placeholders.set(lookup, placeholder);
    }
    if (keepOriginal && !this.sealed.has(placeholder)) this.sealed.set(placeholder, seal(key, placeholder, value));
    return placeholder;
  }

  /** Replaces every placeholder this vault sealed by its original; other text, and unknown placeholders, stay. */
  restore(text: string): string {
    const key = this.requireKey();
    return text.replace(placeholderPattern, (placeholder) => {
      const value = this.sealed.get(placeholder);
      return value ? open(key, placeholder, value) : placeholder;
    });
  }

  /**
   * A streaming {@link restore}: a placeholder split across chunks (`<PERS` + `ON_1>`) is still restored, holding
   * back at most one placeholder's length.
   */
  createStreamRestorer(): { push(chunk: string): string; flush(): string } {
    let pending = '';
    return {
      push: (chunk: string): string => {
        pending += chunk;
        const open = pending.lastIndexOf('<');
        const cut = open >= 0 && !pending.includes('>', open) && pending.length - open < longestPlaceholder ? open : pending.length;
        const ready = pending.slice(0, cut);
        pending = pending.slice(cut);
        return this.restore(ready);
      },
      flush: (): string => {
        const rest = pending;
        pending = '';
        return this.restore(rest);
      },
    };
  }

  /** Forgets the key and every sealed value; later calls fail with PII_VAULT_UNAVAILABLE. */
  destroy(): void {
    this.encryptionKey?.fill(0);
    this.encryptionKey = undefined;
    this.sealed.clear();
    this.placeholders.clear();
  }

  private requireKey(): Buffer {
    if (!this.encryptionKey) throw new PiiError(PiiErrorCode.VaultUnavailable, 'the pseudonym vault was destroyed');
    return this.encryptionKey;
  }
}

/** AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit IV; the placeholder is bound as additional data. */
function seal(key: Buffer, placeholder: string, value: string): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(placeholder));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function open(key: Buffer, placeholder: string, sealed: SealedValue): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv).setAAD(Buffer.from(placeholder));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new PiiError(PiiErrorCode.VaultUnavailable, 'a sealed pseudonym failed authentication');
  }
}
