import type { DataSource } from 'typeorm';
import { type AuditLeaf, readLeaf } from '../core/audit-event';
import { buildBundle } from '../core/evidence-bundle';
import type { Hash } from '../core/hashing';
import type { InclusionEvidence } from '../core/inclusion-evidence';
import { LeafCheckPool } from '../core/leaf-check-pool';
import { LogVerifier } from '../core/log-verifier';
import { inclusionProof, LeafRange } from '../core/merkle-tree';
import { type ParallelVerifyOptions, pushInParallel, reportCrossings, wantsWorkers } from '../core/parallel-verify';
import type { NoteSigner } from '../core/signed-note';
import type { TrustedKey } from '../core/trusted-keys';
import { VerifyFailureCode, type VerifyReport } from '../core/verify-failure';
import type { CosignerKey } from '../core/witness';
import type { LogHead } from './audit-database';
import { AuditLogReader } from './audit-log.reader';
import { AuditError, AuditErrorCode } from './audit.errors';

export interface DatabaseVerifyOptions extends ParallelVerifyOptions {
  /** From the verifier's configuration (key manifest, the local signing key): never from the database. */
  trustedKeys: readonly TrustedKey[];
  /** Checkpoints kept outside the database (the sink): the database must not be behind or disagree. */
  lastSeen?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  /** Events between two progress calls (default 100,000; the console asks for smaller steps). */
  progressEvery?: number;
  witnesses?: readonly CosignerKey[];
  quorum?: number;
  /** The auditor's minimum retention in months (drops of younger events fail). */
  minRetentionMonths?: number;
}

/** Only the events of the range a search selects (the console's on-screen filter), decided on each event's bytes. */
export interface ExportSelection {
  filter: Record<string, string | number>;
  matches(event: AuditLeaf): boolean;
}

function selectedEvent(bytes: Buffer, selection: ExportSelection): boolean {
  try {
    return selection.matches(readLeaf(bytes));
  } catch {
    return false;
  }
}

export interface ExportRange {
  from: Date;
  to: Date;
}

/**
 * Verifies the log in the database, exports evidence bundles and proves single events. Constructible without Nest,
 * so the CLI can `new` it over `openDatabase(...)`'s DataSource.
 *
 * @example
 * const report = await new AuditEvidenceService(dataSource).verify({ trustedKeys });
 */
export class AuditEvidenceService {
  private readonly reader: AuditLogReader;

  constructor(dataSource: DataSource) {
    this.reader = new AuditLogReader(dataSource);
  }

  /** Origin, size, head hash and epoch of the log (the unsigned head row). */
  head(): Promise<LogHead> {
    return this.reader.head();
  }

  /**
   * Verifies every stored event (docs/audit-format.md §8). A long log on a machine with an idle core (see
   * ParallelVerifyOptions) has its per-event checks run in worker threads too, started while the head, retention and
   * checkpoints are read; the report is the same.
   */
  async verify(options: DatabaseVerifyOptions): Promise<VerifyReport> {
    const head = await this.reader.head();
    const pool = wantsWorkers(head.size, options) ? (options.pool ?? LeafCheckPool.spawn(options.workers)) : undefined;
    const verifier = new LogVerifier({ trustedKeys: options.trustedKeys, lastSeen: options.lastSeen, origin: head.origin, witnesses: options.witnesses, quorum: options.quorum, minRetentionMonths: options.minRetentionMonths });
    try {
      const retention = await this.retentionOrFailure(verifier);
      if (retention !== null && verifier.addCheckpoints((await this.reader.checkpoints()).map((c) => c.note))) {
        if (retention) verifier.startAfterRetention(retention.event);
        await this.pushEvents(verifier, head.size, pool, options);
      }
    } finally {
      await pool?.close();
    }
    const report = verifier.finish();
    if (report.ok && head.size > report.size) {
      // The head row is unsigned, but a head ahead of the rows means rows were deleted after the last checkpoint.
      verifier.fail({ code: VerifyFailureCode.EventMissing, message: `the log head counts ${head.size} events but only ${report.size} are stored`, seq: report.size, expected: String(head.size), actual: String(report.size) });
      return verifier.finish();
    }
    return report;
  }

  private async pushEvents(verifier: LogVerifier, total: number, pool: LeafCheckPool | undefined, options: DatabaseVerifyOptions): Promise<void> {
    let done = 0;
    if (pool) {
      await pushInParallel(verifier, this.reader.verifierRuns(0), {
        ...options,
        pool,
        onPushed: (count) => {
          if (options.onProgress) reportCrossings(done, count, options.progressEvery ?? 100_000, (at) => options.onProgress?.(at, total));
          done = count;
        },
      });
      return;
    }
    for await (const run of this.reader.verifierRuns(0)) {
      for (let index = 0; index < run.length; index++) {
        if (!verifier.push(run.entry(index))) return;
        if (++done % (options.progressEvery ?? 100_000) === 0) options.onProgress?.(done, total);
        // Let the next page stream in meanwhile: PostgreSQL stalls once the socket buffer is full.
        if (done % 1_024 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** The newest retention drop; null (after recording the failure) when its rows cannot be read as one. */
  private async retentionOrFailure(verifier: LogVerifier): Promise<{ event: Buffer } | undefined | null> {
    try {
      return await this.reader.retention();
    } catch (error) {
      if (!(error instanceof AuditError) || error.code !== AuditErrorCode.Forked) throw error;
      verifier.fail({ code: VerifyFailureCode.RetentionAnchorMismatch, message: error.message });
      return null;
    }
  }

  /** The retained leaf hashes [retainedFrom, size) and the frontier standing in for the dropped ones. */
  private async leafRange(size: number): Promise<{ range: LeafRange; retention?: { retainedFrom: number; event: Buffer } }> {
    const retention = await this.reader.retention();
    const retainedFrom = retention?.anchor.details.retainedFrom ?? 0;
    const leafHashes: Hash[] = [];
    for await (const page of this.reader.eventPages(retainedFrom, size, false)) for (const row of page) leafHashes.push(row.leafHash);
    return { range: new LeafRange(leafHashes, retainedFrom, retention?.anchor.frontier), retention: retention && { retainedFrom, event: retention.event } };
  }

  /** An evidence bundle of the events stamped in [from, to), with every leaf hash and checkpoint of the log. */
  async export(range: ExportRange, signer: NoteSigner, selection?: ExportSelection): Promise<{ bundle: Buffer; events: number; treeSize: number }> {
    const head = await this.reader.head();
    const { firstSeq, endSeq } = await this.reader.seqRange(range.from, range.to);
    const { range: leaves, retention } = await this.leafRange(head.size);
    const events: Buffer[] = [];
    const positions: number[] = [];
    for await (const page of this.reader.eventPages(firstSeq, endSeq)) {
      for (const row of page) {
        // The stored bytes decide, never the columns: an event that cannot be read is left to the verifier's other
        // checks (its leaf hash is in the bundle) rather than selected on a guess.
        if (selection && !selectedEvent(row.canonical, selection)) continue;
        events.push(row.canonical);
        positions.push(row.seq);
      }
    }
    const bundle = buildBundle(
      {
        origin: head.origin,
        createdAt: new Date().toISOString(),
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        firstSeq: events.length === 0 ? 0 : (positions[0] as number),
        ...(selection ? { selection: { filter: selection.filter, positions } } : {}),
        events,
        leafHashes: leaves.leaves,
        retention,
        checkpoints: (await this.reader.checkpoints(leaves.size)).map((c) => c.note),
        publicKeys: await this.reader.publicKeys(),
      },
      signer,
    );
    return { bundle, events: events.length, treeSize: leaves.size };
  }

  /** Inclusion evidence for one event against the smallest stored checkpoint that covers it. */
  async prove(eventId: string): Promise<InclusionEvidence> {
    const event = await this.reader.findEvent(eventId);
    const checkpoint = (await this.reader.checkpoints()).find((c) => c.size > event.seq);
    if (!checkpoint) throw new AuditError(AuditErrorCode.EventNotFound, `event ${eventId} is not covered by a signed checkpoint yet`);
    const { range } = await this.leafRange(checkpoint.size);
    return {
      format: 'attest-inclusion/1',
      event: event.canonical.toString('utf8'),
      seq: event.seq,
      treeSize: checkpoint.size,
      proof: inclusionProof(range, event.seq, checkpoint.size).map((node) => node.toString('base64')),
      checkpoint: checkpoint.note,
    };
  }
}
