import { Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { leafHash, toHex } from '../core/hashing';
import { MerkleFrontier } from '../core/merkle-tree';
import { addMonths, holdCovers, RETENTION_APPLIED_ACTION, type RetentionDetails } from '../core/retention';
import { setRoleStatement, withClient } from './audit-database';
import { AuditLogReader } from './audit-log.reader';
import { AuditError, AuditErrorCode } from './audit.errors';
import { AUDIT_SYSTEM_ACTOR } from './audit-writer';
import { holdScope, type LegalHold, type LegalHolds } from './legal-holds';

export interface AuditRetentionOptions {
  /** Months a month of events is kept after it ends (HIPAA 164.316(b)(2): six years). */
  retentionMonths: number;
  /** Milliseconds between scheduled runs (partitions ahead, then drops due); 0: only when asked. */
  intervalMs: number;
  dbRole?: string;
  now?: () => Date;
}

export type PartitionStatus = 'current' | 'retained' | 'due' | 'held' | 'default';

export interface PartitionState {
  name: string;
  /** ISO bounds of the month (from null: open to the past); both null for the default partition. */
  from: string | null;
  to: string | null;
  events: number;
  firstSeq: number | null;
  status: PartitionStatus;
  /** When its retention ends (null for the default partition). */
  dueAt: string | null;
  heldBy: string[];
}

export interface RetentionPlan {
  retentionMonths: number;
  /** First position still in the log. */
  retainedFrom: number;
  partitions: PartitionState[];
  holdsInForce: LegalHold[];
}

export interface RetentionRun {
  dropped: { partition: string; events: number; retainedFrom: number; eventSeq: number | null }[];
  /** The oldest month retention had to keep although it was due, and why. */
  stoppedAt?: { partition: string; reason: string };
}

interface PartitionRow {
  name: string;
  bound: string;
}

const RETENTION_LOCK = 'attest.audit_retention';
const bound = (text: string, keyword: 'FROM' | 'TO'): string | null => new RegExp(`${keyword} \\('([^']+)'\\)`).exec(text)?.[1] ?? null;

/**
 * Retention of the audit log: keeps monthly partitions ahead of time, and drops whole months once their retention
 * ends — oldest first, never under a legal hold, each drop recorded first as a checkpointed `audit.retention_applied`
 * event that carries the Merkle frontier of what it removes (docs/audit-format.md §12). One run at a time across
 * replicas (an advisory lock).
 *
 * @example
 * const run = await retention.apply(actor); // { dropped: [...], stoppedAt? }
 */
export class AuditRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private readonly reader: AuditLogReader;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: AuditRecorder,
    private readonly checkpointer: { checkpoint(): Promise<string | undefined> },
    private readonly holds: LegalHolds,
    private readonly options: AuditRetentionOptions,
  ) {
    this.reader = new AuditLogReader(dataSource);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensurePartitions();
    if (this.options.intervalMs > 0) {
      this.timer = setInterval(() => void this.scheduledRun(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async scheduledRun(): Promise<void> {
    try {
      await this.ensurePartitions();
      const run = await this.apply(AUDIT_SYSTEM_ACTOR);
      if (run.dropped.length > 0 || run.stoppedAt) this.logger.log(`audit retention dropped ${run.dropped.length} month(s)${run.stoppedAt ? `; kept ${run.stoppedAt.partition}: ${run.stoppedAt.reason}` : ''}`);
    } catch (error) {
      this.logger.warn(`audit retention run failed: ${(error as Error).message}`);
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Creates the monthly partitions from last month to three months ahead; returns the new ones. */
  async ensurePartitions(around = this.now()): Promise<string[]> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        `SELECT audit_ensure_partitions($1::timestamptz - interval '1 month', $1::timestamptz + interval '3 months') AS name`,
        [around],
      );
      return rows.map((row) => row.name);
    });
  }

  async plan(): Promise<RetentionPlan> {
    const holdsInForce = await this.holds.inForce();
    const head = await withClient(this.dataSource, (client) => client.query<{ retained_from: string }>('SELECT retained_from FROM audit_log WHERE id = 1'));
    const now = this.now();
    const partitions = await withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<PartitionRow>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'public.audit_event'::regclass`,
      );
      const states: PartitionState[] = [];
      for (const row of rows) states.push(await this.stateOf(client, row, holdsInForce, now));
      return states;
    });
    partitions.sort((a, b) => (a.to === null ? 1 : b.to === null ? -1 : Date.parse(a.to) - Date.parse(b.to)));
    return { retentionMonths: this.options.retentionMonths, retainedFrom: Number(head.rows[0]?.retained_from ?? 0), partitions, holdsInForce };
  }

  private async stateOf(client: PoolClient, row: PartitionRow, holdsInForce: LegalHold[], now: Date): Promise<PartitionState> {
    const { rows } = await client.query<{ first: string | null; n: string }>(`SELECT min(seq) AS first, count(*) AS n FROM public.${client.escapeIdentifier(row.name)}`);
    const counted = { events: Number(rows[0]?.n ?? 0), firstSeq: rows[0]?.first === null || rows[0]?.first === undefined ? null : Number(rows[0].first) };
    if (row.bound === 'DEFAULT') return { name: row.name, from: null, to: null, ...counted, status: 'default', dueAt: null, heldBy: [] };
    const fromText = bound(row.bound, 'FROM');
    const to = new Date(bound(row.bound, 'TO') as string).toISOString();
    const from = fromText === null ? null : new Date(fromText).toISOString();
    const dueAt = addMonths(to, this.options.retentionMonths);
    const heldBy = holdsInForce.filter((hold) => holdCovers(holdScope(hold), from ?? undefined, to)).map((hold) => hold.id);
    const status: PartitionStatus = Date.parse(to) > now.getTime() ? 'current' : dueAt > now ? 'retained' : heldBy.length > 0 ? 'held' : 'due';
    return { name: row.name, from, to, ...counted, status, dueAt: dueAt.toISOString(), heldBy };
  }

  /** Drops every month that is due, oldest first; stops at the first one that must stay (held, or not yet due). */
  async apply(actor: AuditActor): Promise<RetentionRun> {
    return withClient(this.dataSource, async (lockClient) => {
      const { rows } = await lockClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RETENTION_LOCK]);
      if (!rows[0]?.locked) throw new AuditError(AuditErrorCode.RetentionBusy, 'audit retention is running elsewhere; try again when it ends');
      try {
        return await this.dropDue(actor);
      } finally {
        await lockClient.query('SELECT pg_advisory_unlock(hashtext($1))', [RETENTION_LOCK]);
      }
    });
  }

  private async dropDue(actor: AuditActor): Promise<RetentionRun> {
    const plan = await this.plan();
    const run: RetentionRun = { dropped: [] };
    let retainedFrom = plan.retainedFrom;
    for (const partition of plan.partitions) {
      if (partition.status === 'default' || partition.status === 'current' || partition.status === 'retained') break;
      if (partition.status === 'held') {
        run.stoppedAt = { partition: partition.name, reason: `under legal hold ${partition.heldBy.join(', ')}` };
        break;
      }
      if (partition.events === 0) {
        await this.dropPartition(partition.name, null);
        run.dropped.push({ partition: partition.name, events: 0, retainedFrom, eventSeq: null });
        continue;
      }
      const details = await this.retentionDetails(partition, retainedFrom, plan);
      const receipt = await this.recorder.record({
        action: RETENTION_APPLIED_ACTION,
        outcome: 'success',
        actor,
        tenant: actor.tenant,
        resource: { type: 'audit_partition', name: partition.name },
        details: { ...details, holdsInForce: details.holdsInForce.map((hold) => ({ ...hold })) },
      });
      await this.checkpointCovering(receipt.sequence);
      try {
        await this.dropPartition(partition.name, receipt.sequence);
      } catch (error) {
        const reason = (error as Error).message;
        await this.recorder.record({ action: 'audit.retention_aborted', outcome: 'failure', actor, tenant: actor.tenant, resource: { type: 'audit_partition', name: partition.name }, details: { retentionSeq: receipt.sequence, reason } });
        run.stoppedAt = { partition: partition.name, reason };
        break;
      }
      run.dropped.push({ partition: partition.name, events: partition.events, retainedFrom: details.retainedFrom, eventSeq: receipt.sequence });
      retainedFrom = details.retainedFrom;
    }
    return run;
  }

  /** The frontier after the partition's events, re-hashing their bytes and links rather than trusting the columns. */
  private async retentionDetails(partition: PartitionState, retainedFrom: number, plan: RetentionPlan): Promise<RetentionDetails> {
    if (partition.firstSeq !== retainedFrom) throw new AuditError(AuditErrorCode.Forked, `${partition.name} starts at ${partition.firstSeq}, the log is retained from ${retainedFrom}`);
    const previous = await this.reader.retention();
    let frontier = previous ? (MerkleFrontier.restore(previous.anchor.frontier.size, previous.anchor.frontier.subtreeRoots()) as MerkleFrontier) : new MerkleFrontier();
    let previousHash = previous?.anchor.lastLeafHash ?? Buffer.alloc(32);
    if (frontier.size !== retainedFrom) frontier = new MerkleFrontier();
    const end = retainedFrom + partition.events;
    for await (const page of this.reader.eventPages(retainedFrom, end)) {
      for (const row of page) {
        if (row.seq !== frontier.size || !leafHash(row.canonical).equals(row.leafHash) || !row.prevHash.equals(previousHash)) {
          throw new AuditError(AuditErrorCode.Forked, `audit event ${frontier.size} is missing, altered or unlinked; retention refuses to seal over it (run attest audit verify)`);
        }
        frontier.append(row.leafHash);
        previousHash = row.leafHash;
      }
    }
    if (frontier.size !== end) throw new AuditError(AuditErrorCode.Forked, `${partition.name} should hold events ${retainedFrom}..${end - 1}`);
    return {
      partition: partition.name,
      ...(partition.from ? { coversFrom: partition.from } : {}),
      coversTo: partition.to as string,
      previousRetainedFrom: retainedFrom,
      retainedFrom: end,
      retentionMonths: plan.retentionMonths,
      frontier: frontier.subtreeRoots().map(toHex),
      lastLeafHash: toHex(previousHash),
      holdsInForce: plan.holdsInForce.map(holdScope),
    };
  }

  private async checkpointCovering(seq: number): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.checkpointer.checkpoint();
      const covered = await withClient(this.dataSource, (client) => client.query('SELECT 1 FROM audit_checkpoint WHERE tree_size > $1 LIMIT 1', [seq]));
      if (covered.rows.length > 0) return;
    }
    throw new AuditError(AuditErrorCode.Unavailable, `no signed checkpoint covers the retention event ${seq}`);
  }

  private async dropPartition(name: string, retentionSeq: number | null): Promise<void> {
    await withClient(this.dataSource, async (client) => {
      await client.query(`BEGIN; ${setRoleStatement(this.options.dbRole)}`);
      try {
        await client.query('SELECT audit_drop_partition($1, $2)', [name, retentionSeq]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}
