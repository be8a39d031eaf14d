import { type AuditLeaf, readLeaf } from './audit-event';
import { DATA_SUBJECT_ERASED_ACTION } from './shred-auditor';

/** Database columns that repeat signed fields for search; each must equal the bytes. */
export interface EventColumns {
  seq: number;
  id: string;
  action: string;
  outcome: string;
  tenant: string;
}

/**
 * Consecutive log positions whose per-event checks need no state of the pass, packed for a worker thread: the
 * canonical bytes (and, from a database, the column texts) live in `data`, located by offsets.
 */
export interface LeafBatch {
  /** The origin every leaf must name (the verifier's, fixed before the batch was cut). */
  origin: string;
  /** Log position of the first event. */
  firstPosition: number;
  data: Uint8Array;
  /** `[start, end)` of each event's canonical bytes in `data`, two numbers per event. */
  bounds: Int32Array;
  /** Database rows only: `[start, end)` of the id, action, outcome and tenant texts (eight numbers per event; -1 for NULL). */
  columnBounds?: Int32Array;
  /** Database rows only: each row's own seq column. */
  columnSeqs?: Float64Array;
}

/** What the pass must do with a checked event besides hashing and chaining it. */
export enum LeafKind {
  Plain = 0,
  /** An admitted `inference.request`: it owes an `inference.response` of the same `requestId`. */
  OpensRequest = 1,
  ClosesRequest = 2,
  /** Retention and legal-hold acts, and anything unusual: the main thread re-checks the event in full. */
  FullCheck = 3,
}

/**
 * A position whose bytes a worker already checked alone ({@link checkLeafBatch}): what is left for the pass is what
 * needs its state (leaf hash against the stored one, chain link, tree, request tracking).
 */
export interface PrecheckedEntry {
  bytes: Uint8Array;
  storedHash?: Uint8Array;
  rowSeq?: number;
  /** The leaf's `prev`, decoded (32 bytes). */
  prev: Uint8Array;
  kind: LeafKind;
  /** For OpensRequest and ClosesRequest. */
  requestId?: string;
}

export interface LeafBatchFacts {
  origin: string;
  /** Events `[0, passed)` passed every check here; the one at `passed` (if any) did not, and nothing after it was looked at. */
  passed: number;
  /** The 32-byte `prev` of each passed event. */
  prev: Uint8Array;
  kinds: Uint8Array;
  /** The `requestId` of each passed event of kind OpensRequest or ClosesRequest, in order. */
  requestIds: string[];
}

/**
 * Runs, for each event of a batch, the checks of the verification pass that depend on the event alone (docs/audit-format.md
 * §8 step 3): canonical UTF-8 JCS bytes, a well-formed header, the expected origin, `seq` equal to the position and the
 * database columns equal to the bytes. Stops at the first event that fails; the verifier then re-checks that event on
 * its own thread, so the failure it reports is exactly the one a sequential pass would.
 *
 * @example
 * const facts = checkLeafBatch({ origin, firstPosition: 0, data, bounds: Int32Array.of(0, data.length) });
 * facts.passed; // 1
 */
export function checkLeafBatch(batch: LeafBatch): LeafBatchFacts {
  const count = batch.bounds.length >> 1;
  const data = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
  const prev = Buffer.alloc(count * 32);
  const kinds = new Uint8Array(count);
  const requestIds: string[] = [];
  let index = 0;
  for (; index < count; index++) {
    let leaf: AuditLeaf;
    try {
      leaf = readLeaf(data.subarray(batch.bounds[2 * index], batch.bounds[2 * index + 1]));
    } catch {
      break;
    }
    if (leaf.origin !== batch.origin || leaf.seq !== batch.firstPosition + index) break;
    if (batch.columnBounds && !columnsMatch(leaf, batch, data, index)) break;
    prev.write(leaf.prev, index * 32, 32, 'hex');
    const kind = kindOf(leaf);
    kinds[index] = kind;
    if (kind === LeafKind.OpensRequest || kind === LeafKind.ClosesRequest) requestIds.push(leaf.requestId as string);
  }
  return { origin: batch.origin, passed: index, prev, kinds, requestIds };
}

function kindOf(leaf: AuditLeaf): LeafKind {
  // Retention, holds and erasures are replayed, and sealed raw content is checked against erased keys, on the main thread.
  if (leaf.action.startsWith('audit.') || leaf.action === DATA_SUBJECT_ERASED_ACTION || (leaf.payload as { raw?: unknown } | undefined)?.raw !== undefined) return LeafKind.FullCheck;
  const requestId: unknown = leaf.requestId;
  if (!requestId) return LeafKind.Plain;
  if (typeof requestId !== 'string') return LeafKind.FullCheck;
  if (leaf.action === 'inference.request' && leaf.outcome === 'success') return LeafKind.OpensRequest;
  return leaf.action === 'inference.response' ? LeafKind.ClosesRequest : LeafKind.Plain;
}

function columnsMatch(leaf: AuditLeaf, batch: LeafBatch, data: Buffer, index: number): boolean {
  const bounds = batch.columnBounds as Int32Array;
  const at = index * 8;
  const text = (field: number): string | undefined => {
    const start = bounds[at + 2 * field] as number;
    return start < 0 ? undefined : data.toString('utf8', start, bounds[at + 2 * field + 1]);
  };
  const id = text(0);
  const action = text(1);
  const outcome = text(2);
  const tenant = text(3);
  // A NULL column is left to the full check, which compares it as the sequential pass does.
  if (id === undefined || action === undefined || outcome === undefined || tenant === undefined) return false;
  const seq = (batch.columnSeqs as Float64Array)[index] as number;
  return columnMismatch({ seq, id, action, outcome, tenant }, leaf) === undefined;
}

/** The first column (seq, id, action, outcome, tenant) that differs from the signed leaf, if any. */
export function columnMismatch(columns: EventColumns, leaf: AuditLeaf): { name: string; expected: string; actual: string } | undefined {
  const pairs: [string, string | number, string | number][] = [
    ['seq', leaf.seq, columns.seq],
    ['id', leaf.id, columns.id],
    ['action', leaf.action, columns.action],
    ['outcome', leaf.outcome, columns.outcome],
    ['tenant', leaf.tenant, columns.tenant],
  ];
  const found = pairs.find(([, signed, column]) => String(signed) !== String(column));
  return found && { name: found[0], expected: String(found[1]), actual: String(found[2]) };
}
