import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { sha256 } from './hashing';

/** C2SP signed-note signature type byte for Ed25519 (c2sp.org/signed-note, "Signature types"). */
const ED25519_TYPE = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';
const KEY_NAME = /^[^\s+]+$/u;
const hasControlOtherThanNewline = (text: string): boolean => {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
};

export class NoteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteFormatError';
  }
}

/** A key that can sign notes. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: Buffer;
  /** `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, the public half in the Go note package's encoding. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Buffer;
}

/** A trusted public key for checking note signatures. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

function assertKeyName(name: string): void {
  if (!KEY_NAME.test(name)) throw new NoteFormatError(`key name ${JSON.stringify(name)} must be non-empty, without spaces or '+'`);
}

/**
 * Key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key)[:4] (c2sp.org/signed-note, Ed25519 signatures).
 *
 * @example
 * ed25519KeyId('example.com/log', publicKey).toString('hex'); // 8 hex digits
 */
export function ed25519KeyId(name: string, publicKey: Uint8Array): Buffer {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ED25519_TYPE]), publicKey).subarray(0, 4);
}

/** The raw 32-byte public key of an Ed25519 KeyObject (private or public). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || !x) throw new NoteFormatError('not an Ed25519 key');
  return Buffer.from(x, 'base64url');
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName(name);
  const keyId = ed25519KeyId(name, publicKey);
  return `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
}

/** A fresh Ed25519 private key. */
export function generateEd25519PrivateKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** An Ed25519 private key from its 32-byte RFC 8032 seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new NoteFormatError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * A note signer over an Ed25519 private key.
 *
 * @example
 * const signer = createNoteSigner('attest.local/audit/1234', generateEd25519PrivateKey());
 * const note = signNote('hello\n', [signer]);
 */
export function createNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertKeyName(name);
  const publicKey = rawEd25519PublicKey(privateKey);
  return {
    name,
    keyId: ed25519KeyId(name, publicKey),
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => sign(null, message, privateKey),
  };
}

/**
 * Parses a verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, checking that the key id matches.
 *
 * @example
 * const verifier = parseVerifierKey(signer.verifierKey);
 */
export function parseVerifierKey(text: string): NoteVerifier {
  // The base64 part may itself contain '+'; names and key ids never do.
  const parts = text.trim().split('+');
  if (parts.length < 3) throw new NoteFormatError('a verifier key has the form <name>+<key id>+<base64 key>');
  const [name, keyIdHex] = parts as [string, string];
  const keyBase64 = parts.slice(2).join('+');
  assertKeyName(name);
  const keyBytes = Buffer.from(keyBase64, 'base64');
  if (keyBytes.length !== 33 || keyBytes[0] !== ED25519_TYPE || keyBytes.toString('base64') !== keyBase64) {
    throw new NoteFormatError('only Ed25519 verifier keys (type 0x01, 32 bytes) are supported');
  }
  const publicKey = keyBytes.subarray(1);
  const keyId = ed25519KeyId(name, publicKey);
  if (!/^[0-9a-f]{8}$/.test(keyIdHex) || keyId.toString('hex') !== keyIdHex) throw new NoteFormatError(`key id ${keyIdHex} does not match the key`);
  const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
  return {
    name,
    keyId,
    publicKey,
    verifierKey: text.trim(),
    verify: (message, signature) => signature.length === 64 && verify(null, message, keyObject, signature),
  };
}

/**
 * Signs `text` (which must end in a newline) as a C2SP signed note: text, a blank line, one `— name base64(keyid ‖ sig)`
 * line per signer.
 *
 * @example
 * signNote('attest.local/audit/x\n3\nq83v...=\n', [signer]);
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText(text);
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => signatureLine(signer.name, signer.keyId, signer.sign(message)));
  return `${text}\n${lines.join('')}`;
}

/** Adds signatures (e.g. witness cosignatures) to an already signed note, keeping the existing ones. */
export function addNoteSignatures(note: string, signatures: readonly NoteSignature[]): string {
  parseSignedNote(note);
  return note + signatures.map((s) => signatureLine(s.name, s.keyId, s.signature)).join('');
}

function signatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteFormatError('note text must end with a newline');
  if (hasControlOtherThanNewline(text)) throw new NoteFormatError('note text must not contain control characters other than newline');
}

/**
 * Splits a signed note into its text and signature lines without checking any signature.
 *
 * @example
 * parseSignedNote(note).signatures[0].name;
 */
export function parseSignedNote(note: string): ParsedNote {
  const separator = note.lastIndexOf('\n\n');
  if (separator < 0) throw new NoteFormatError('no blank line between the note text and its signatures');
  const text = note.slice(0, separator + 1);
  assertNoteText(text);
  const block = note.slice(separator + 2);
  if (!block.endsWith('\n')) throw new NoteFormatError('signature lines must end with a newline');
  const signatures = block
    .slice(0, -1)
    .split('\n')
    .map((line): NoteSignature => {
      if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteFormatError(`malformed signature line ${JSON.stringify(line)}`);
      const fields = line.slice(SIGNATURE_PREFIX.length).split(' ');
      if (fields.length !== 2) throw new NoteFormatError(`malformed signature line ${JSON.stringify(line)}`);
      const [name, encoded] = fields as [string, string];
      assertKeyName(name);
      const bytes = Buffer.from(encoded, 'base64');
      if (bytes.length < 5 || bytes.toString('base64') !== encoded) throw new NoteFormatError(`malformed signature of ${name}`);
      return { name, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
    });
  return { text, signatures };
}

export type NoteVerification =
  | { ok: true; text: string; verifiedBy: NoteVerifier[] }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'no_trusted_signature'; detail: string };

/**
 * Checks a note against trusted keys as c2sp.org/signed-note prescribes: signatures from unknown keys are ignored, a
 * known key whose signature fails rejects the note, and at least one known key must have signed.
 *
 * @example
 * const result = verifyNote(note, [parseVerifierKey(trustedKey)]);
 * if (result.ok) use(result.text);
 */
export function verifyNote(note: string, verifiers: readonly NoteVerifier[]): NoteVerification {
  let parsed: ParsedNote;
  try {
    parsed = parseSignedNote(note);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: (error as Error).message };
  }
  const message = Buffer.from(parsed.text, 'utf8');
  const verifiedBy: NoteVerifier[] = [];
  for (const signature of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === signature.name && v.keyId.equals(signature.keyId));
    if (!verifier) continue;
    if (!verifier.verify(message, signature.signature)) {
      return { ok: false, reason: 'bad_signature', detail: `signature of ${verifier.name} (${verifier.keyId.toString('hex')}) does not verify` };
    }
    if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
  }
  if (verifiedBy.length === 0) return { ok: false, reason: 'no_trusted_signature', detail: 'no signature from a trusted key' };
  return { ok: true, text: parsed.text, verifiedBy };
}
