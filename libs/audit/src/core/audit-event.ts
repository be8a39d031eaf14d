import type { AuditEventDraft, AuditOutcome, SealedRawContent } from '@attest/contracts';
import { canonicalBytes, parseCanonical } from './canonical-json';
import { type Hash, leafHash, sha256, toHex } from './hashing';
import type { JsonValue } from './json-value';

/** Version of the leaf format described in docs/audit-format.md. */
export const AUDIT_LEAF_VERSION = 1;

export type PayloadMode = 'hash' | 'redacted';

/**
 * The JSON object whose RFC 8785 bytes are one leaf of the log. The header fields (v..writer) are what the verifier
 * relies on; the rest is the act itself. Every field is covered by the leaf hash, so nothing is trusted from the
 * database's row order or columns.
 */
export interface AuditLeaf {
  v: typeof AUDIT_LEAF_VERSION;
  /** The log's origin (also the first line of its checkpoints). */
  origin: string;
  /** Zero-based, dense position in the log: leaf index in the Merkle tree. */
  seq: number;
  /** UUIDv7 of the event. */
  id: string;
  /** Server time, UTC, microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  ts: string;
  /** Sequencer fencing epoch under which the event was sequenced. */
  epoch: number;
  /** Hex leaf hash of event seq-1; 64 zeros for seq 0. */
  prev: string;
  /** Which writer (gateway instance) appended the event. */
  writer: string;
  action: string;
  outcome: AuditOutcome;
  tenant: string;
  actor: AuditEventDraft['actor'];
  resource?: AuditEventDraft['resource'];
  requestId?: string;
  traceId?: string;
  policy?: AuditEventDraft['policy'];
  pii?: Record<string, number>;
  usage?: AuditEventDraft['usage'];
  latencyMs?: number;
  details?: Record<string, JsonValue>;
  payload?: StoredPayload;
}

/** `raw`: where the tenant enabled raw capture, the unredacted text sealed under the data subject's key. */
export type StoredPayload =
  | { mode: 'hash'; promptSha256?: string; responseSha256?: string; raw?: SealedRawContent }
  | { mode: 'redacted'; prompt?: string; response?: string; raw?: SealedRawContent };

/** The act part of a leaf: everything but the header the sequencer fills in. */
export type AuditEventContent = Omit<AuditLeaf, 'v' | 'origin' | 'seq' | 'id' | 'ts' | 'epoch' | 'prev' | 'writer'>;

/** What the sequencer fills in for one event. */
export interface LeafHeader {
  origin: string;
  seq: number;
  id: string;
  ts: string;
  epoch: number;
  prev: Hash;
  writer: string;
}

export interface SealedEvent {
  leaf: AuditLeaf;
  /** RFC 8785 bytes: what is stored and exported, byte for byte. */
  bytes: Buffer;
  /** SHA-256(0x00 ‖ bytes): the leaf hash and the chain hash at once. */
  hash: Hash;
}

/**
 * Turns a recorder draft into leaf content: payload text is kept (`redacted`, already redacted upstream) or replaced by
 * its SHA-256 (`hash`). `dataSubjectId` is never stored; sealed raw content is stored as sealed (crypto-shredding).
 *
 * @example
 * toEventContent(draft, 'hash').payload; // { mode: 'hash', promptSha256: '…' }
 */
export function toEventContent(draft: AuditEventDraft, payloadMode: PayloadMode): AuditEventContent {
  const { payload, ...rest } = draft;
  const content: AuditEventContent = { ...rest };
  if (payload && (payload.prompt !== undefined || payload.response !== undefined || payload.sealedRaw !== undefined)) {
    const raw = payload.sealedRaw ? { raw: payload.sealedRaw } : {};
    content.payload =
      payloadMode === 'redacted'
        ? { mode: 'redacted', prompt: payload.prompt, response: payload.response, ...raw }
        : {
            mode: 'hash',
            promptSha256: payload.prompt === undefined ? undefined : toHex(sha256(Buffer.from(payload.prompt, 'utf8'))),
            responseSha256: payload.response === undefined ? undefined : toHex(sha256(Buffer.from(payload.response, 'utf8'))),
            ...raw,
          };
  }
  return content;
}

/**
 * Builds one leaf: header + content, canonical bytes, leaf hash. Throws CanonicalJsonError for content JCS cannot
 * represent (lone surrogates, non-finite numbers, non-JSON values) — refused at write time.
 *
 * @example
 * const sealed = sealEvent(content, { origin, seq: 0, id, ts, epoch: 1, prev: GENESIS_PREVIOUS_HASH, writer: 'gw-1' });
 */
export function sealEvent(content: AuditEventContent, header: LeafHeader): SealedEvent {
  const leaf: AuditLeaf = {
    ...content,
    v: AUDIT_LEAF_VERSION,
    origin: header.origin,
    seq: header.seq,
    id: header.id,
    ts: header.ts,
    epoch: header.epoch,
    prev: toHex(header.prev),
    writer: header.writer,
  };
  const bytes = Buffer.from(canonicalBytes(leaf));
  return { leaf, bytes, hash: leafHash(bytes) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const OUTCOMES: readonly string[] = ['success', 'denied', 'failure', 'aborted'];
// What fromHex accepts; tested directly so that checking `prev` allocates no buffer.
const HEX_HASH = /^[0-9a-f]{64}$/;

/** Why bytes are not a version-1 leaf. */
export class LeafFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeafFormatError';
  }
}

/**
 * Parses stored leaf bytes: canonical JSON (throws CanonicalJsonError) with the version-1 header fields
 * (throws LeafFormatError).
 *
 * @example
 * readLeaf(bytes).seq;
 */
export function readLeaf(bytes: Uint8Array): AuditLeaf {
  const value = parseCanonical(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LeafFormatError('a leaf is a JSON object');
  const leaf = value as unknown as AuditLeaf;
  const problem =
    leaf.v !== AUDIT_LEAF_VERSION ? `unknown version ${JSON.stringify(leaf.v)}`
    : typeof leaf.origin !== 'string' || leaf.origin === '' ? 'origin missing'
    : !Number.isSafeInteger(leaf.seq) || leaf.seq < 0 ? 'seq is not a non-negative integer'
    : typeof leaf.id !== 'string' || !UUID.test(leaf.id) ? 'id is not a UUID'
    : typeof leaf.ts !== 'string' || !TIMESTAMP.test(leaf.ts) || Number.isNaN(Date.parse(leaf.ts)) ? 'ts is not a UTC timestamp with microseconds'
    : !Number.isSafeInteger(leaf.epoch) || leaf.epoch < 0 ? 'epoch is not a non-negative integer'
    : typeof leaf.prev !== 'string' || !HEX_HASH.test(leaf.prev) ? 'prev is not a hex SHA-256'
    : typeof leaf.writer !== 'string' ? 'writer missing'
    : typeof leaf.action !== 'string' || leaf.action === '' ? 'action missing'
    : !OUTCOMES.includes(leaf.outcome) ? `unknown outcome ${JSON.stringify(leaf.outcome)}`
    : typeof leaf.tenant !== 'string' ? 'tenant missing'
    : typeof leaf.actor !== 'object' || leaf.actor === null ? 'actor missing'
    : undefined;
  if (problem) throw new LeafFormatError(problem);
  return leaf;
}

/**
 * UTC timestamp with microseconds from microseconds since the Unix epoch.
 *
 * @example
 * formatTimestamp(1_700_000_000_123_456); // '2023-11-14T22:13:20.123456Z'
 */
export function formatTimestamp(epochMicros: number): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = Math.floor(epochMicros - millis * 1000);
  return `${new Date(millis).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Microseconds since the Unix epoch of a {@link formatTimestamp} string. */
export function parseTimestampMicros(timestamp: string): number {
  return Date.parse(timestamp.slice(0, 23) + 'Z') * 1000 + Number(timestamp.slice(23, 26));
}
