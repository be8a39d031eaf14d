import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { formatTimestamp, type PayloadMode, type SealedEvent, toEventContent } from '../core/audit-event';
import { CanonicalJsonError } from '../core/canonical-json';
import { type PreparedEvent, prepareEvent, sealPrepared } from '../core/prepared-event';
import { toHex } from '../core/hashing';
import { AUDIT_BATCH_LOCK_CLASS, INSERT_BATCH, insertBatchParameters } from './audit-batch-statement';
import { openPipelinedPool, setRoleStatement, withClient } from './audit-database';
import { auditMetrics } from './audit-metrics';
import { AuditError, AuditErrorCode } from './audit.errors';

export interface AuditWriterOptions {
  payloadMode: PayloadMode;
  batchMax: number;
  flushDelayMs: number;
  maxQueue: number;
  dbRole?: string;
  writerId: string;
  /**
   * Record `audit.writer_started` when the application has started and `audit.writer_stopped` as the last event before
   * closing (PCI DSS v4.0 10.2.1.6: initialising and stopping the audit logs is itself logged). The gateway sets it;
   * short-lived CLI writers do not.
   */
  lifecycleEvents?: boolean;
  /** Microseconds since the Unix epoch; the system clock by default (tests stand in an older month). */
  clockMicros?: () => number;
  /** Tries of a batch against the last known head before it takes the head's lock (default 3; 0: always lock first). */
  optimisticAttempts?: number;
  /**
   * Batches sent before the first of them has committed (default 2). The next batch is sealed against the head the
   * one before it will leave, so PostgreSQL inserts and indexes it while the previous one waits for its WAL flush; the
   * append trigger still takes the head's lock, so the batches commit in chain order or the later one is refused and
   * sealed again. 1: one batch at a time.
   */
  maxInFlight?: number;
}

/** The actor of acts the audit log does by itself (its start and stop, key registration). */
export const AUDIT_SYSTEM_ACTOR = { principalId: 'system', kind: 'system', tenant: 'default', authMethod: 'system' } as const;

/** The log head as this writer last knew it: where its next batch goes. */
interface Head {
  origin: string;
  size: number;
  hash: Buffer;
  epoch: number;
  /** Timestamp of the last event, in microseconds. */
  micros: number;
  /** The head this prediction extends, while the batch that leads from it to this one has not committed yet. */
  basis?: Head;
}

/** Whether `head` is `prediction` or was sealed on top of it: if the prediction fails, so does everything built on it. */
function extendsPrediction(head: Head | undefined, prediction: Head): boolean {
  for (let at = head; at; at = at.basis) if (at === prediction) return true;
  return false;
}

/** Refusals of a stale head before a batch takes the head's lock instead. */
const OPTIMISTIC_ATTEMPTS = 3;
/** Two batches in flight keep both cores busy on a small machine: Node seals one while PostgreSQL commits the other. */
const MAX_IN_FLIGHT = 2;
/** Below this, a waiting batch is not split across slots: each transaction costs a WAL flush. */
const MIN_SHARED_BATCH = 8;
/** A stuck database must fail the batch (and the acts waiting on it), not hold callers forever. */
const STATEMENT_TIMEOUT_MS = 5_000;

/** The append trigger's refusal of a batch sealed against an old head (another writer, or a new epoch, came first). */
function isStaleHead(error: unknown): boolean {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; message?: string };
  return code === '40001' && (message?.startsWith('audit append refused') ?? false);
}

interface Sealed {
  pending: Pending;
  sealed: SealedEvent;
}

interface Pending {
  prepared: PreparedEvent;
  resolve(receipt: AuditReceipt): void;
  reject(error: AuditError): void;
}

/**
 * The group-commit writer and the {@link AuditRecorder} implementation. Records wait a few milliseconds (or until a
 * batch is full) and are committed together: the batch gets the next dense sequence numbers after the head this writer
 * expects, chained, and one transaction inserts it with one statement, whose trigger locks the log head (the
 * database's one sequencer) and refuses a wrong guess. Up to `maxInFlight` batches are on their way at once, each
 * sealed on top of the one before it, on sessions that send BEGIN, INSERT and COMMIT in one round trip. Each `record`
 * resolves only after COMMIT, and rejects when the database does not take it (fail closed).
 *
 * @example
 * const writer = new AuditWriter(dataSource, { payloadMode: 'hash', batchMax: 512, flushDelayMs: 2, maxQueue: 20000, writerId: 'gw-1' });
 * const receipt = await writer.record(draft);
 */
@Injectable()
export class AuditWriter implements AuditRecorder, OnApplicationBootstrap, BeforeApplicationShutdown {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private pipelined: Pool | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastMicros = 0;
  private head: Head | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditWriterOptions,
  ) {}

  record(draft: AuditEventDraft): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new AuditError(AuditErrorCode.ShutDown, 'the audit writer is shut down'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new AuditError(AuditErrorCode.Overloaded, `${this.queue.length} audit events are already waiting for commit`));
    }
    // Everything but the header is canonicalised now, outside the sequencer's lock; what JCS cannot represent never
    // enters the log (RFC 8785 §3.2.2).
    let prepared: PreparedEvent;
    try {
      prepared = prepareEvent(toEventContent(draft, this.options.payloadMode));
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error;
      return Promise.reject(new AuditError(AuditErrorCode.EventInvalid, `audit event cannot be recorded: ${error.message}`, { cause: error }));
    }
    return new Promise<AuditReceipt>((resolve, reject) => {
      this.queue.push({ prepared, resolve, reject });
      this.schedule();
    });
  }

  /** The log says when this writer began; a start whose record cannot commit fails (fail closed). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.lifecycleEvents) return;
    await this.record({ action: 'audit.writer_started', outcome: 'success', actor: AUDIT_SYSTEM_ACTOR, tenant: AUDIT_SYSTEM_ACTOR.tenant, details: { writer: this.options.writerId } });
  }

  /** Commits what is queued, then refuses new records. Idempotent: the module and the checkpointer both call it. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.options.lifecycleEvents && !this.closed) {
      // Best effort: a database that is gone cannot take the last word, and shutdown must still finish.
      await this.record({ action: 'audit.writer_stopped', outcome: 'success', actor: AUDIT_SYSTEM_ACTOR, tenant: AUDIT_SYSTEM_ACTOR.tenant, details: { writer: this.options.writerId } }).catch(() => undefined);
    }
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing || this.queue.length > 0) await (this.flushing ?? this.flush());
    await this.pipelined?.end().catch(() => undefined);
    this.pipelined = undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    if (this.queue.length >= this.options.batchMax || this.options.flushDelayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.flushDelayMs);
    }
  }

  /**
   * Sends batches until the queue is empty, up to `maxInFlight` at once. A second batch starts only while the head is
   * known (predicted by the batch before it): two batches sealed against one freshly read head would refuse each other.
   */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const maxInFlight = Math.max(1, this.options.maxInFlight ?? MAX_IN_FLIGHT);
    this.flushing = (async () => {
      while (this.queue.length > 0 || this.inFlight.size > 0) {
        while (this.queue.length > 0 && this.inFlight.size < maxInFlight && (this.inFlight.size === 0 || this.head !== undefined)) {
          // With the head known, what waits is shared among the free slots, so that PostgreSQL takes in one batch
          // while the one before it commits (callers that each wait for their receipt would otherwise all sit in one).
          const slots = this.head === undefined ? 1 : maxInFlight - this.inFlight.size;
          const size = Math.min(this.options.batchMax, Math.max(MIN_SHARED_BATCH, Math.ceil(this.queue.length / slots)));
          const commit: Promise<void> = this.commitBatch(this.queue.splice(0, size)).finally(() => this.inFlight.delete(commit));
          this.inFlight.add(commit);
        }
        await Promise.race(this.inFlight);
      }
    })().finally(() => {
      this.flushing = undefined;
      // A record that arrived after the loop's last look but before this cleanup found a flush still "running" and
      // scheduled nothing: pick it up now, or it would wait for the next event.
      if (this.queue.length > 0) this.schedule();
    });
    return this.flushing;
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    let committed: Sealed[];
    try {
      committed = await this.append(batch);
    } catch (error) {
      const failure = toAuditError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    for (const { pending, sealed } of committed) {
      pending.resolve({ id: sealed.leaf.id, chainId: sealed.leaf.origin, sequence: sealed.leaf.seq, leafHash: toHex(sealed.hash) });
    }
  }

  /**
   * Optimistic group commit: the batch is sealed against the head this writer saw last (its own previous batch) and
   * sent with its COMMIT in one round trip; the append trigger, which locks the head, is what refuses a stale guess
   * (another writer appended meanwhile, or the epoch moved). Then the head is read again and the batch re-sealed; after
   * a few refusals the batch takes the head's lock first (the pessimistic path), so a busy log still makes progress.
   */
  private async append(batch: Pending[]): Promise<Sealed[]> {
    for (let attempt = 0; attempt < (this.options.optimisticAttempts ?? OPTIMISTIC_ATTEMPTS); attempt++) {
      const head = this.head ?? (await this.readHead());
      const sealed = this.seal(batch, head);
      // The next batch may be sealed after this one before this one commits (pipelining).
      const predicted = this.headAfter(head, sealed);
      this.head = predicted;
      let outcome: 'committed' | 'stale';
      try {
        outcome = await withClient(this.pipelinedPool(), (client) => this.sendBatch(client, sealed, predicted.size));
      } catch (error) {
        this.forget(predicted);
        throw error;
      }
      if (outcome === 'stale') {
        this.forget(predicted);
        continue;
      }
      predicted.basis = undefined;
      auditMetrics.batchCommitted(sealed.length, head.size + sealed.length);
      return sealed;
    }
    return this.appendLocked(batch);
  }

  /**
   * A batch did not commit: the head it predicted, and every prediction sealed on top of it (those batches will be
   * refused too), is unknown. A head read or locked since then stays.
   */
  private forget(prediction: Head): void {
    if (extendsPrediction(this.head, prediction)) this.head = undefined;
  }

  private async readHead(): Promise<Head> {
    const { rows } = await withClient(this.dataSource, (client) =>
      client.query<{ origin: string; size: string; head_hash: Buffer; epoch: string; head_micros: string | null }>(
        `SELECT origin, size, head_hash, epoch, (extract(epoch FROM head_ts) * 1000000)::bigint AS head_micros FROM audit_log WHERE id = 1`,
      ),
    );
    const row = rows[0];
    if (!row) throw new AuditError(AuditErrorCode.Unavailable, 'the audit log has no head row: is the database migrated?');
    return { origin: row.origin, size: Number(row.size), hash: row.head_hash, epoch: Number(row.epoch), micros: Number(row.head_micros ?? 0) };
  }

  private headAfter(head: Head, sealed: Sealed[]): Head {
    const last = (sealed[sealed.length - 1] as Sealed).sealed;
    return { origin: head.origin, epoch: head.epoch, size: head.size + sealed.length, hash: last.hash, micros: this.lastMicros, basis: head };
  }

  /** Gives the batch the positions after `head`: dense sequence numbers, each linked to the one before. */
  private seal(batch: Pending[], head: Head): Sealed[] {
    // Timestamps never go backwards along the log (the append trigger checks it): another replica's clock may be ahead.
    this.lastMicros = Math.max(this.lastMicros, head.micros);
    let seq = head.size;
    let prev = head.hash;
    return batch.map((pending) => {
      const sealed = sealPrepared(pending.prepared, { origin: head.origin, seq: seq++, id: uuidv7(), ts: formatTimestamp(this.nextMicros()), epoch: head.epoch, prev, writer: this.options.writerId });
      prev = sealed.hash;
      return { pending, sealed };
    });
  }

  /**
   * BEGIN (with the lock named after where the batch ends, which the next batch's trigger waits for), the insert and
   * COMMIT, sent together on a pipelined session: one round trip. A refusal of the insert turns the COMMIT into a
   * rollback, so the session stays usable when only the head was stale.
   */
  private async sendBatch(client: PoolClient, sealed: Sealed[], end: number): Promise<'committed' | 'stale'> {
    const opened = client.query(`BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_BATCH_LOCK_CLASS}, ${end % 2 ** 31}); SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}; ${setRoleStatement(this.options.dbRole)}`);
    const inserted = client.query(INSERT_BATCH, insertBatchParameters(sealed.map((entry) => entry.sealed)));
    const committed = client.query('COMMIT');
    const [open, insert, commit] = await Promise.allSettled([opened, inserted, committed]);
    if (open.status === 'rejected') throw open.reason;
    if (insert.status === 'rejected') {
      if (isStaleHead(insert.reason)) return 'stale';
      throw insert.reason;
    }
    if (commit.status === 'rejected') throw commit.reason;
    return 'committed';
  }

  private pipelinedPool(): Pool {
    this.pipelined ??= openPipelinedPool(this.dataSource, Math.max(1, this.options.maxInFlight ?? MAX_IN_FLIGHT));
    return this.pipelined;
  }

  /** The pessimistic path: lock the head, seal under the lock, insert, commit. */
  private async appendLocked(batch: Pending[]): Promise<Sealed[]> {
    return withClient(this.dataSource, async (client) => {
      try {
        // The head's timestamp is read by a second statement, whose snapshot is taken after the lock is held.
        const results = (await client.query(
          `BEGIN; SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}; ${setRoleStatement(this.options.dbRole)} SELECT origin, size, head_hash, epoch FROM audit_lock_head();
           SELECT (extract(epoch FROM head_ts) * 1000000)::bigint AS head_micros FROM audit_log WHERE id = 1;`,
        )) as unknown as { rows: Record<string, unknown>[] }[];
        const row = results[results.length - 2]?.rows[0] as { origin: string; size: string; head_hash: Buffer; epoch: string } | undefined;
        if (!row) throw new AuditError(AuditErrorCode.Unavailable, 'the audit log has no head row: is the database migrated?');
        const micros = Number((results[results.length - 1]?.rows[0] as { head_micros: string | null } | undefined)?.head_micros ?? 0);
        const head: Head = { origin: row.origin, size: Number(row.size), hash: row.head_hash, epoch: Number(row.epoch), micros };
        const sealed = this.seal(batch, head);
        const events = sealed.map((entry) => entry.sealed);
        await client.query(INSERT_BATCH, insertBatchParameters(events));
        await client.query('COMMIT');
        this.head = { ...this.headAfter(head, sealed), basis: undefined };
        auditMetrics.batchCommitted(sealed.length, head.size + sealed.length);
        return sealed;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Microseconds since the epoch, never going backwards within this writer. */
  private nextMicros(): number {
    const now = this.options.clockMicros?.() ?? Math.floor((performance.timeOrigin + performance.now()) * 1000);
    this.lastMicros = Math.max(now, this.lastMicros + 1);
    return this.lastMicros;
  }
}

function toAuditError(error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; message?: string };
  if (code === '40001' && message?.includes('epoch')) {
    return new AuditError(AuditErrorCode.Fenced, `audit batch refused by the sequencer: ${message}`, { cause: error });
  }
  return new AuditError(AuditErrorCode.Unavailable, `the audit database did not take the record: ${message ?? String(error)}`, { cause: error });
}
