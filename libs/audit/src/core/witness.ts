import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { type Checkpoint, parseCheckpoint } from './checkpoint';
import { sha256 } from './hashing';
import { verifyConsistency } from './merkle-tree';
import { type NoteSignature, type NoteVerifier, NoteFormatError, parseSignedNote, rawEd25519PublicKey, verifyNote } from './signed-note';

/** c2sp.org/tlog-cosignature: signature type byte of timestamped Ed25519 cosignatures. */
const COSIGNATURE_TYPE = 0x04;
const MAX_PROOF_LINES = 63;

/** A witness key: signs `cosignature/v1` statements over checkpoints. */
export interface Cosigner {
  readonly name: string;
  readonly keyId: Buffer;
  /** `<name>+<hex key id>+<base64(0x04 ‖ public key)>`. */
  readonly verifierKey: string;
  cosign(checkpointText: string, timestampSeconds: number): NoteSignature;
}

/** A trusted witness public key. */
export interface CosignerKey {
  readonly name: string;
  readonly keyId: Buffer;
  /** Checks a cosignature's bytes (timestamp ‖ Ed25519 signature) over a checkpoint text. */
  verify(checkpointText: string, signature: Uint8Array): boolean;
}

function cosignedMessage(checkpointText: string, timestampSeconds: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestampSeconds}\n${checkpointText}`, 'utf8');
}

function cosignerKeyId(name: string, publicKey: Uint8Array): Buffer {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([COSIGNATURE_TYPE]), publicKey).subarray(0, 4);
}

/**
 * A witness cosigner over an Ed25519 key (c2sp.org/tlog-cosignature, Ed25519 signed message).
 *
 * @example
 * const cosigner = createCosigner('witness.example/w1', generateEd25519PrivateKey());
 */
export function createCosigner(name: string, privateKey: KeyObject): Cosigner {
  if (!/^[^\s+]+$/u.test(name)) throw new NoteFormatError('a witness name has no spaces or +');
  const publicKey = rawEd25519PublicKey(privateKey);
  const keyId = cosignerKeyId(name, publicKey);
  return {
    name,
    keyId,
    verifierKey: `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([COSIGNATURE_TYPE]), publicKey]).toString('base64')}`,
    cosign(checkpointText, timestampSeconds) {
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(timestampSeconds));
      return { name, keyId, signature: Buffer.concat([timestamp, sign(null, cosignedMessage(checkpointText, timestampSeconds), privateKey)]) };
    },
  };
}

/**
 * Parses a witness verifier key `<name>+<key id>+<base64(0x04 ‖ key)>`.
 *
 * @example
 * const witness = parseCosignerKey('witness.example/w1+1a2b3c4d+BN…');
 */
export function parseCosignerKey(text: string): CosignerKey {
  const [name, keyIdHex, ...rest] = text.trim().split('+');
  const bytes = Buffer.from(rest.join('+'), 'base64');
  if (!name || !keyIdHex || bytes.length !== 33 || bytes[0] !== COSIGNATURE_TYPE) throw new NoteFormatError('a witness key has the form <name>+<key id>+<base64(0x04 ‖ Ed25519 key)>');
  const publicKey = bytes.subarray(1);
  const keyId = cosignerKeyId(name, publicKey);
  if (keyId.toString('hex') !== keyIdHex) throw new NoteFormatError(`witness key id ${keyIdHex} does not match the key`);
  const keyObject = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
  return {
    name,
    keyId,
    verify(checkpointText, signature) {
      if (signature.length !== 72) return false;
      const timestamp = Buffer.from(signature.subarray(0, 8)).readBigUInt64BE();
      if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return false;
      return verify(null, cosignedMessage(checkpointText, Number(timestamp)), keyObject, signature.subarray(8));
    },
  };
}

/** How many distinct trusted witnesses validly cosigned a checkpoint note. */
export function countCosignatures(note: string, witnesses: readonly CosignerKey[]): number {
  const parsed = parseSignedNote(note);
  const by = new Set<CosignerKey>();
  for (const signature of parsed.signatures) {
    const witness = witnesses.find((w) => w.name === signature.name && w.keyId.equals(signature.keyId));
    if (witness && witness.verify(parsed.text, signature.signature)) by.add(witness);
  }
  return by.size;
}

/** What a witness remembers per log: the latest checkpoint it cosigned. */
export interface WitnessedHead {
  size: number;
  root: Buffer;
}

export interface WitnessedLog {
  origin: string;
  verifiers: readonly NoteVerifier[];
}

export type AddCheckpointOutcome =
  | { status: 200; body: string; head: WitnessedHead; origin: string }
  | { status: 400 | 403 | 404 | 409 | 422; body: string; contentType?: string };

/**
 * The decision of c2sp.org/tlog-witness `add-checkpoint`, without the HTTP: parses the body (old size line, consistency
 * proof lines, empty line, signed checkpoint), checks the log's signature, the old size against the latest cosigned
 * head, and the consistency proof; on success returns the cosignature line and the new head to persist (the caller
 * must persist it atomically with the check).
 *
 * @example
 * const outcome = addCheckpoint(body, logs, (origin) => state.get(origin), cosigner, Math.floor(Date.now() / 1000));
 */
export function addCheckpoint(
  body: string,
  logs: readonly WitnessedLog[],
  latest: (origin: string) => WitnessedHead | undefined,
  cosigner: Cosigner,
  nowSeconds: number,
): AddCheckpointOutcome {
  const split = body.indexOf('\n\n');
  if (split < 0) return { status: 400, body: 'missing the empty line before the checkpoint\n' };
  const [oldLine, ...proofLines] = body.slice(0, split).split('\n');
  const oldMatch = /^old (0|[1-9][0-9]*)$/.exec(oldLine ?? '');
  if (!oldMatch || proofLines.length > MAX_PROOF_LINES) return { status: 400, body: 'malformed old size or proof lines\n' };
  const proof = proofLines.map((line) => Buffer.from(line, 'base64'));
  if (proof.some((hash, index) => hash.length !== 32 || hash.toString('base64') !== proofLines[index])) return { status: 400, body: 'malformed proof line\n' };
  const note = body.slice(split + 2);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parseSignedNote(note).text);
  } catch (error) {
    return { status: 400, body: `${(error as Error).message}\n` };
  }
  const log = logs.find((candidate) => candidate.origin === checkpoint.origin);
  if (!log) return { status: 404, body: 'unknown log origin\n' };
  const verified = verifyNote(note, log.verifiers);
  if (!verified.ok) return { status: 403, body: `${verified.detail}\n` };
  const oldSize = Number(oldMatch[1]);
  if (oldSize > checkpoint.size) return { status: 400, body: 'old size is larger than the checkpoint size\n' };
  const head = latest(checkpoint.origin);
  const knownSize = head?.size ?? 0;
  if (oldSize !== knownSize) return { status: 409, body: `${knownSize}\n`, contentType: 'text/x.tlog.size' };
  if (head && oldSize === checkpoint.size && !head.root.equals(checkpoint.root)) return { status: 409, body: `${knownSize}\n`, contentType: 'text/x.tlog.size' };
  if (oldSize === 0 ? proof.length > 0 : head && !verifyConsistency(oldSize, checkpoint.size, head.root, checkpoint.root, proof)) {
    return { status: 422, body: 'the consistency proof does not verify\n' };
  }
  const cosignature = cosigner.cosign(verified.text, nowSeconds);
  return {
    status: 200,
    body: `\u2014 ${cosignature.name} ${Buffer.concat([cosignature.keyId, cosignature.signature]).toString('base64')}\n`,
    head: { size: checkpoint.size, root: checkpoint.root },
    origin: checkpoint.origin,
  };
}
