import { createHash, hash as digest } from 'node:crypto';

/** A SHA-256 digest, 32 bytes. */
export type Hash = Buffer;

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function sha256(...parts: Uint8Array[]): Hash {
  // The one-shot digest skips a Hash object: most callers hash one buffer.
  if (parts.length === 1) return digest('sha256', parts[0] as Uint8Array, 'buffer');
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 ‖ leaf bytes). In Attest the leaf bytes are an event's
 * canonical (RFC 8785) bytes, and this hash is also the event's chain hash.
 *
 * @example
 * leafHash(Buffer.alloc(0)).toString('hex'); // 6e340b9c...
 */
export function leafHash(bytes: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, bytes);
}

/**
 * RFC 6962 §2.1 interior node hash: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * nodeHash(leafHash(a), leafHash(b));
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return sha256(NODE_PREFIX, left, right);
}

/** Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_TREE_ROOT: Hash = sha256();

/** The `prev` value of the first event of a log: 32 zero bytes. */
export const GENESIS_PREVIOUS_HASH: Hash = Buffer.alloc(HASH_SIZE);

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** Parses a lowercase 64-digit hex hash; `undefined` when malformed. */
export function fromHex(text: string): Hash | undefined {
  return HEX_HASH.test(text) ? Buffer.from(text, 'hex') : undefined;
}
