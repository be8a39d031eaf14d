import { type AuditLeaf, LeafFormatError, readLeaf } from './audit-event';
import { CanonicalJsonError } from './canonical-json';
import { type Checkpoint, parseCheckpoint } from './checkpoint';
import { GENESIS_PREVIOUS_HASH, type Hash, leafHash, toHex } from './hashing';
import { columnMismatch, type EventColumns, LeafKind, type PrecheckedEntry } from './leaf-batch-check';
import { MerkleFrontier } from './merkle-tree';
import { hashLeaf, VerifierFrontier } from './verifier-hashing';
import { anchorOf, parseRetentionDetails, RETENTION_APPLIED_ACTION, type RetentionAnchor } from './retention';
import { verifyNote } from './signed-note';
import { countCosignatures, type CosignerKey } from './witness';
import { type TrustedKey, withinKeyWindow } from './trusted-keys';
import { type VerifyFailure, VerifyFailureCode, type VerifyReport } from './verify-failure';
import { ActLedger } from './act-ledger';

export type { EventColumns } from './leaf-batch-check';

/** One position of the log, in order. */
export interface LogEntry {
  /** Canonical bytes; absent for positions a bundle carries only the leaf hash of. */
  bytes?: Uint8Array;
  /** The hash stored beside the bytes (database column or bundle leaf list); required without bytes. */
  storedHash?: Uint8Array;
  /** The database row's own sequence column; a mismatch with the position means a missing or duplicated row. */
  rowSeq?: number;
  columns?: EventColumns;
}

export interface LogVerifierOptions {
  /** Trusted keys from the verifier's own configuration; never from the log or bundle under test. */
  trustedKeys: readonly TrustedKey[];
  /** The origin to expect; by default the first verified checkpoint's. */
  origin?: string;
  /** Signed checkpoints kept outside the log (a sink, an earlier audit): the log must not be smaller or disagree. */
  lastSeen?: readonly string[];
  /** Called every `progressEvery` positions with the number done. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
  /** Trusted witnesses; with `quorum`, the log's largest checkpoint needs that many of their cosignatures. */
  witnesses?: readonly CosignerKey[];
  quorum?: number;
  /**
   * Canonical bytes of the newest `audit.retention_applied` event, for a log whose oldest events retention dropped:
   * the pass starts at its `retainedFrom` with the frontier it records. Untrusted: the event must stand at its own
   * position of the log, and the first checkpoint after the drop must agree with the frontier.
   */
  retention?: Uint8Array;
  /** The auditor's own minimum retention in months: a drop of younger events fails even if the log allowed it. */
  minRetentionMonths?: number;
}

interface PendingCheckpoint {
  checkpoint: Checkpoint;
  key: TrustedKey;
  lastSeen: boolean;
}


/**
 * Verifies a log in one streaming pass: every event as a canonical leaf, as a chain link and as a tree leaf, every
 * signed checkpoint's root at its size, and the log against trusted last-seen checkpoints. Stops at the first failure.
 *
 * @example
 * const verifier = new LogVerifier({ trustedKeys });
 * verifier.addCheckpoints(notes);
 * for (const bytes of events) if (!verifier.push({ bytes })) break;
 * const report = verifier.finish();
 */
export class LogVerifier {
  private frontier = VerifierFrontier.of(new MerkleFrontier());
  private anchor: (RetentionAnchor & { seq: number; hash: Hash }) | undefined;
  private checkpointsBeforeRetention = 0;
  private readonly pending: PendingCheckpoint[] = [];
  private readonly acts: ActLedger;
  private origin: string | undefined;
  private previousHash: Hash = GENESIS_PREVIOUS_HASH;
  private previousHex: string | undefined;
  /** The last leaf checked from its bytes: its `ts` is read lazily, when a checkpoint's key window needs it. */
  private lastLeaf: { seq: number; ts?: string; bytes?: Uint8Array } | undefined;
  private failure: VerifyFailure | undefined;
  private eventsChecked = 0;
  private sealedSize = 0;
  private checkpointsVerified = 0;
  private lastSeenVerified = 0;
  private keyWindowsUnchecked = 0;
  private largestCheckpoint: { size: number; cosignatures: number } | undefined;

  constructor(private readonly options: LogVerifierOptions) {
    this.origin = options.origin;
    this.acts = new ActLedger(options.minRetentionMonths);
    for (const note of options.lastSeen ?? []) this.acceptNote(note, true);
    if (options.retention) this.startAfterRetention(options.retention);
  }

  /**
   * Begins the pass at the first retained position, from the frontier and chain value the retention event records.
   * Call before any event is pushed (the `retention` option does it).
   */
  startAfterRetention(bytes: Uint8Array): void {
    if (this.frontier.size > 0 || this.anchor) throw new Error('start after retention before pushing events');
    let leaf: AuditLeaf;
    try {
      leaf = readLeaf(bytes);
    } catch (error) {
      this.fail({ code: VerifyFailureCode.RetentionAnchorMismatch, message: `the retention event is not a valid leaf: ${(error as Error).message}` });
      return;
    }
    const details = leaf.action === RETENTION_APPLIED_ACTION ? parseRetentionDetails(leaf.details) : undefined;
    const anchor = details && details.retainedFrom <= leaf.seq ? anchorOf(details) : undefined;
    if (!anchor) {
      this.fail({ code: VerifyFailureCode.RetentionAnchorMismatch, message: `event ${leaf.id} is not a well-formed retention event`, seq: leaf.seq, eventId: leaf.id });
      return;
    }
    this.anchor = { ...anchor, seq: leaf.seq, hash: leafHash(bytes) };
    this.frontier = VerifierFrontier.of(anchor.frontier);
    this.setPrevious(anchor.lastLeafHash);
    const dropped = this.pending.filter((pending) => pending.checkpoint.size < anchor.details.retainedFrom);
    this.checkpointsBeforeRetention += dropped.length;
    this.pending.splice(0, dropped.length); // sorted by size: the dropped ones lead
    this.settleCheckpoints();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The position the next `push` checks. */
  get position(): number {
    return this.frontier.size;
  }

  /** The origin every event must name, once known (from the options, a checkpoint or the first event). */
  get expectedOrigin(): string | undefined {
    return this.origin;
  }

  /** The first position the pass checks: 0, or where recorded retention left the log. */
  get retainedFrom(): number {
    return this.anchor?.details.retainedFrom ?? 0;
  }

  /** Checks the signatures of the log's own checkpoints and queues their roots for comparison. */
  addCheckpoints(notes: readonly string[]): boolean {
    for (const note of notes) if (!this.acceptNote(note, false)) return false;
    return true;
  }

  private acceptNote(note: string, lastSeen: boolean): boolean {
    if (this.failure) return false;
    const verified = verifyNote(note, this.options.trustedKeys.map((key) => key.verifier));
    const label = lastSeen ? 'last-seen checkpoint' : 'checkpoint';
    if (!verified.ok) {
      const code = verified.reason === 'malformed' ? VerifyFailureCode.CheckpointMalformed
        : verified.reason === 'bad_signature' ? VerifyFailureCode.CheckpointSignatureInvalid
        : VerifyFailureCode.CheckpointUntrusted;
      return this.fail({ code, message: `${label}: ${verified.detail}`, actual: firstLine(note) });
    }
    let checkpoint: Checkpoint;
    try {
      checkpoint = parseCheckpoint(verified.text);
    } catch (error) {
      return this.fail({ code: VerifyFailureCode.CheckpointMalformed, message: `${label}: ${(error as Error).message}` });
    }
    if (this.anchor && checkpoint.size < this.anchor.details.retainedFrom) {
      // Signed, but its root covers dropped leaves: nothing left to compare it with.
      this.checkpointsBeforeRetention++;
      return true;
    }
    if (checkpoint.size < this.frontier.size) throw new Error('add checkpoints before the events they cover');
    this.origin ??= checkpoint.origin;
    if (checkpoint.origin !== this.origin) {
      return this.fail({ code: VerifyFailureCode.CheckpointWrongOrigin, message: `${label} of size ${checkpoint.size} is for another log`, checkpointSize: checkpoint.size, expected: this.origin, actual: checkpoint.origin });
    }
    if (!lastSeen && (this.largestCheckpoint?.size ?? -1) <= checkpoint.size) {
      const cosignatures = this.options.witnesses ? countCosignatures(note, this.options.witnesses) : 0;
      if (this.largestCheckpoint?.size !== checkpoint.size || cosignatures > this.largestCheckpoint.cosignatures) this.largestCheckpoint = { size: checkpoint.size, cosignatures };
    }
    const signer = verified.verifiedBy[0];
    const key = this.options.trustedKeys.find((candidate) => candidate.verifier === signer) as TrustedKey;
    this.pending.push({ checkpoint, key, lastSeen });
    // At equal sizes the log's own checkpoint is compared first: its failure names the log, not the outside witness.
    this.pending.sort((a, b) => a.checkpoint.size - b.checkpoint.size || Number(a.lastSeen) - Number(b.lastSeen));
    this.settleCheckpoints();
    return !this.failure;
  }

  /** Feeds the next position of the log. Returns false once verification has failed. */
  push(entry: LogEntry): boolean {
    if (this.failure) return false;
    const position = this.frontier.size;
    if (entry.rowSeq !== undefined && entry.rowSeq !== position) {
      return entry.rowSeq > position
        ? this.fail({ code: VerifyFailureCode.EventMissing, message: `no event at position ${position}: the next row has sequence ${entry.rowSeq}`, seq: position, expected: String(position), actual: String(entry.rowSeq) })
        : this.fail({ code: VerifyFailureCode.EventDuplicated, message: `a second row claims sequence ${entry.rowSeq}`, seq: entry.rowSeq });
    }
    let hash: Hash;
    if (entry.bytes) {
      const checked = this.checkEvent(position, entry);
      if (!checked) return false;
      hash = checked;
    } else if (entry.storedHash && entry.storedHash.length === 32) {
      hash = Buffer.from(entry.storedHash);
      this.lastLeaf = undefined;
    } else {
      return this.fail({ code: VerifyFailureCode.EventMissing, message: `no bytes and no leaf hash for position ${position}`, seq: position });
    }
    return this.appendLeaf(position, hash);
  }

  /**
   * Feeds the next position after a worker checked its bytes alone. Returns undefined where this shortcut cannot
   * decide — any check fails, a retention or legal-hold act, the first retained event — and the caller must then
   * `push` the complete entry, which reports exactly what a sequential pass would.
   */
  pushPrechecked(entry: PrecheckedEntry): boolean | undefined {
    if (this.failure) return false;
    const position = this.frontier.size;
    if (entry.kind === LeafKind.FullCheck || (entry.rowSeq !== undefined && entry.rowSeq !== position)) return undefined;
    if (this.anchor && position === this.anchor.details.retainedFrom) return undefined;
    const hash = hashLeaf(entry.bytes);
    if ((entry.storedHash && !hash.equals(entry.storedHash)) || !this.previousHash.equals(entry.prev)) return undefined;
    if (entry.kind === LeafKind.OpensRequest) this.acts.requestOpened(entry.requestId as string, position);
    else if (entry.kind === LeafKind.ClosesRequest) this.acts.requestClosed(entry.requestId as string);
    this.lastLeaf = { seq: position, bytes: entry.bytes };
    this.eventsChecked++;
    return this.appendLeaf(position, hash);
  }

  private appendLeaf(position: number, hash: Hash): boolean {
    if (this.anchor?.seq === position && !hash.equals(this.anchor.hash)) {
      return this.fail({ code: VerifyFailureCode.RetentionAnchorMismatch, message: `the retention event the verifier started from is not the event at position ${position}`, seq: position, expected: toHex(this.anchor.hash), actual: toHex(hash) });
    }
    this.setPrevious(hash);
    this.frontier.append(hash);
    this.settleCheckpoints();
    const every = this.options.progressEvery ?? 100_000;
    if (this.options.onProgress && this.frontier.size % every === 0) this.options.onProgress(this.frontier.size);
    return !this.failure;
  }

  private setPrevious(hash: Hash): void {
    this.previousHash = hash;
    this.previousHex = undefined;
  }

  private previousHashHex(): string {
    return (this.previousHex ??= toHex(this.previousHash));
  }

  private checkEvent(position: number, entry: LogEntry): Hash | undefined {
    const bytes = entry.bytes as Uint8Array;
    let leaf: AuditLeaf;
    try {
      leaf = readLeaf(bytes);
    } catch (error) {
      const code = error instanceof CanonicalJsonError ? VerifyFailureCode.EventNotCanonical : VerifyFailureCode.EventMalformed;
      if (!(error instanceof CanonicalJsonError) && !(error instanceof LeafFormatError)) throw error;
      this.fail({ code, message: `event at position ${position}: ${error.message}`, seq: position });
      return undefined;
    }
    const at = { seq: position, eventId: leaf.id };
    this.origin ??= leaf.origin;
    if (leaf.origin !== this.origin) {
      this.fail({ ...at, code: VerifyFailureCode.EventWrongOrigin, message: `event at position ${position} belongs to another log`, expected: this.origin, actual: leaf.origin });
      return undefined;
    }
    if (leaf.seq !== position) {
      this.fail({ ...at, code: VerifyFailureCode.EventOutOfPlace, message: `event ${leaf.id} says it is number ${leaf.seq} but stands at position ${position}`, expected: String(position), actual: String(leaf.seq) });
      return undefined;
    }
    const hash = hashLeaf(bytes);
    if (entry.storedHash && !hash.equals(entry.storedHash)) {
      this.fail({ ...at, code: VerifyFailureCode.EventHashMismatch, message: `stored leaf hash of event ${leaf.id} is not the hash of its bytes`, expected: toHex(hash), actual: toHex(entry.storedHash) });
      return undefined;
    }
    if (leaf.prev !== this.previousHashHex()) {
      this.fail({ ...at, code: VerifyFailureCode.EventChainBroken, message: `event ${leaf.id} does not link to the event before it`, expected: this.previousHashHex(), actual: leaf.prev });
      return undefined;
    }
    const column = entry.columns && columnMismatch(entry.columns, leaf);
    if (column) {
      this.fail({ ...at, code: VerifyFailureCode.EventColumnMismatch, message: `column ${column.name} of event ${leaf.id} differs from its signed bytes`, expected: column.expected, actual: column.actual });
      return undefined;
    }
    if (this.anchor && position === this.anchor.details.retainedFrom && Date.parse(leaf.ts) < Date.parse(this.anchor.details.coversTo)) {
      this.fail({ ...at, code: VerifyFailureCode.RetentionAnchorMismatch, message: `the first retained event is older than the dropped month's end`, expected: `>= ${this.anchor.details.coversTo}`, actual: leaf.ts });
      return undefined;
    }
    // Whatever is observed here per event must also happen in pushPrechecked, or kindOf (leaf-batch-check.ts) must send
    // such events to this full check: the parallel pass skips this method for the events a worker passed.
    const actFailure = this.acts.observe(leaf);
    if (actFailure) {
      this.fail({ ...at, ...actFailure });
      return undefined;
    }
    this.lastLeaf = { seq: position, ts: leaf.ts };
    this.eventsChecked++;
    return hash;
  }

  private settleCheckpoints(): void {
    while (!this.failure && this.pending.length > 0 && (this.pending[0] as PendingCheckpoint).checkpoint.size <= this.frontier.size) {
      const { checkpoint, key, lastSeen } = this.pending.shift() as PendingCheckpoint;
      const root = this.frontier.root();
      if (!root.equals(checkpoint.root)) {
        this.fail({
          code: lastSeen ? VerifyFailureCode.LogForked : VerifyFailureCode.CheckpointRootMismatch,
          message: lastSeen
            ? `the log's first ${checkpoint.size} events differ from a checkpoint seen before (fork or rewrite)`
            : `the Merkle root of the first ${checkpoint.size} events differs from the signed checkpoint`,
          checkpointSize: checkpoint.size,
          seq: checkpoint.size === 0 ? undefined : checkpoint.size - 1,
          expected: checkpoint.root.toString('base64'),
          actual: root.toString('base64'),
        });
        return;
      }
      if (checkpoint.size > 0 && this.lastLeaf?.seq === checkpoint.size - 1) {
        // A prechecked leaf's bytes are known to be a valid leaf: reading its ts cannot throw.
        const ts = (this.lastLeaf.ts ??= readLeaf(this.lastLeaf.bytes as Uint8Array).ts);
        if (!withinKeyWindow(key, ts)) {
          this.fail({ code: VerifyFailureCode.CheckpointKeyOutsideWindow, message: `checkpoint of size ${checkpoint.size} is signed by ${key.verifier.name} outside its validity window`, checkpointSize: checkpoint.size, actual: ts, expected: `${key.notBefore ?? '-∞'} .. ${key.notAfter ?? '∞'}` });
          return;
        }
      } else if (checkpoint.size > 0) {
        this.keyWindowsUnchecked++;
      }
      if (lastSeen) this.lastSeenVerified++;
      else this.checkpointsVerified++;
      this.sealedSize = Math.max(this.sealedSize, checkpoint.size);
    }
  }

  /** Ends the pass: checkpoints beyond the last event mean a truncated (or rolled back) log. */
  finish(): VerifyReport {
    const size = this.frontier.size;
    // The log's own checkpoint names the truncation more precisely than a last-seen one does.
    const beyond = this.pending.find((pending) => pending.checkpoint.size > size && !pending.lastSeen) ?? this.pending.find((pending) => pending.checkpoint.size > size);
    if (!this.failure && beyond) {
      this.fail({
        code: beyond.lastSeen ? VerifyFailureCode.LogRolledBack : VerifyFailureCode.CheckpointBeyondLog,
        message: beyond.lastSeen
          ? `the log holds ${size} events but a checkpoint seen before commits to ${beyond.checkpoint.size} (rolled back or truncated)`
          : `the log holds ${size} events but a signed checkpoint commits to ${beyond.checkpoint.size} (truncated tail)`,
        seq: size,
        checkpointSize: beyond.checkpoint.size,
        expected: String(beyond.checkpoint.size),
        actual: String(size),
      });
    }
    if (!this.failure && this.anchor && this.anchor.seq >= size) {
      this.fail({ code: VerifyFailureCode.RetentionAnchorMismatch, message: `the retention event at position ${this.anchor.seq} is not in the log of ${size} events`, seq: this.anchor.seq });
    }
    const quorum = this.options.quorum ?? 0;
    if (!this.failure && quorum > 0 && (this.largestCheckpoint?.cosignatures ?? 0) < quorum) {
      this.fail({
        code: VerifyFailureCode.CheckpointWitnessQuorum,
        message: `the newest checkpoint has ${this.largestCheckpoint?.cosignatures ?? 0} trusted witness cosignature(s); ${quorum} required`,
        checkpointSize: this.largestCheckpoint?.size,
        expected: String(quorum),
        actual: String(this.largestCheckpoint?.cosignatures ?? 0),
      });
    }
    return {
      ok: !this.failure,
      origin: this.origin,
      size,
      eventsChecked: this.eventsChecked,
      sealedSize: this.sealedSize,
      unsealed: Math.max(0, size - this.sealedSize),
      checkpointsVerified: this.checkpointsVerified,
      cosignatures: this.largestCheckpoint?.cosignatures ?? 0,
      lastSeenVerified: this.lastSeenVerified,
      keyWindowsUnchecked: this.keyWindowsUnchecked,
      ...this.acts.report(),
      retainedFrom: this.anchor?.details.retainedFrom ?? 0,
      checkpointsBeforeRetention: this.checkpointsBeforeRetention,
      failure: this.failure,
    };
  }

  /** Records an outside failure (e.g. an unreadable bundle file) as the first failure. */
  fail(failure: VerifyFailure): false {
    this.failure ??= failure;
    return false;
  }
}

function firstLine(note: string): string {
  return note.split('\n', 1)[0] ?? '';
}
