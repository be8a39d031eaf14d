import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { formatTimestamp, type PayloadMode, type SealedEvent, sealEvent, toEventContent } from '../core/audit-event';
import { CanonicalJsonError } from '../core/canonical-json';
import { toHex } from '../core/hashing';
import { setRoleStatement, withClient } from './audit-database';
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
}

/** The actor of acts the audit log does by itself (its start and stop, key registration). */
export const AUDIT_SYSTEM_ACTOR = { principalId: 'system', kind: 'system', tenant: 'default', authMethod: 'system' } as const;

interface Pending {
  draft: AuditEventDraft;
  resolve(receipt: AuditReceipt): void;
  reject(error: AuditError): void;
}

const INSERT = `
  INSERT INTO audit_event (seq, id, ts, epoch, tenant, action, outcome, actor_id, request_id, leaf_hash, prev_hash, canonical)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::bytea[], $11::bytea[], $12::bytea[])`;

/**
 * The group-commit writer and the {@link AuditRecorder} implementation. Records wait a few milliseconds (or until a
 * batch is full) and are committed together: one transaction locks the log head (the database's one sequencer), gives
 * the batch the next dense sequence numbers and chains them, inserts them with one statement, and commits. Each
 * `record` resolves only after COMMIT, and rejects when the database does not take it (fail closed).
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
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastMicros = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditWriterOptions,
  ) {}

  record(draft: AuditEventDraft): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new AuditError(AuditErrorCode.ShutDown, 'the audit writer is shut down'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new AuditError(AuditErrorCode.Overloaded, `${this.queue.length} audit events are already waiting for commit`));
    }
    return new Promise<AuditReceipt>((resolve, reject) => {
      this.queue.push({ draft, resolve, reject });
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

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.batchMax);
        await this.commitBatch(batch);
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
    let committed: { pending: Pending; sealed: SealedEvent }[] = [];
    try {
      await withClient(this.dataSource, async (client) => {
        try {
          committed = await this.appendInTransaction(client, batch);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      const failure = toAuditError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    for (const { pending, sealed } of committed) {
      pending.resolve({ id: sealed.leaf.id, chainId: sealed.leaf.origin, sequence: sealed.leaf.seq, leafHash: toHex(sealed.hash) });
    }
  }

  private async appendInTransaction(client: PoolClient, batch: Pending[]): Promise<{ pending: Pending; sealed: SealedEvent }[]> {
    // A stuck database must fail the batch (and the acts waiting on it), not hold callers forever.
    // The head's timestamp is read by a second statement, whose snapshot is taken after the lock is held.
    const results = (await client.query(
      `BEGIN; SET LOCAL statement_timeout = 5000; ${setRoleStatement(this.options.dbRole)} SELECT origin, size, head_hash, epoch FROM audit_lock_head();
       SELECT (extract(epoch FROM head_ts) * 1000000)::bigint AS head_micros FROM audit_log WHERE id = 1;`,
    )) as unknown as { rows: Record<string, unknown>[] }[];
    const head = results[results.length - 2]?.rows[0] as { origin: string; size: string; head_hash: Buffer; epoch: string } | undefined;
    if (!head) throw new AuditError(AuditErrorCode.Unavailable, 'the audit log has no head row: is the database migrated?');
    // Timestamps never go backwards along the log (the append trigger checks it): another replica's clock may be ahead.
    const headMicros = Number((results[results.length - 1]?.rows[0] as { head_micros: string | null } | undefined)?.head_micros ?? 0);
    this.lastMicros = Math.max(this.lastMicros, headMicros);
    let seq = Number(head.size);
    let prev = head.head_hash;
    const sealedBatch: { pending: Pending; sealed: SealedEvent }[] = [];
    for (const pending of batch) {
      try {
        const sealed = sealEvent(toEventContent(pending.draft, this.options.payloadMode), {
          origin: head.origin, seq, id: uuidv7(), ts: formatTimestamp(this.nextMicros()), epoch: Number(head.epoch), prev, writer: this.options.writerId,
        });
        sealedBatch.push({ pending, sealed });
        seq++;
        prev = sealed.hash;
      } catch (error) {
        // Refused at write time: what JCS cannot represent never enters the log (RFC 8785 §3.2.2).
        if (!(error instanceof CanonicalJsonError)) throw error;
        pending.reject(new AuditError(AuditErrorCode.EventInvalid, `audit event cannot be recorded: ${error.message}`, { cause: error }));
      }
    }
    if (sealedBatch.length === 0) return [];
    const events = sealedBatch.map(({ sealed }) => sealed);
    await client.query(INSERT, [
      events.map((e) => e.leaf.seq),
      events.map((e) => e.leaf.id),
      events.map((e) => e.leaf.ts),
      events.map((e) => e.leaf.epoch),
      events.map((e) => e.leaf.tenant),
      events.map((e) => e.leaf.action),
      events.map((e) => e.leaf.outcome),
      events.map((e) => e.leaf.actor.principalId),
      events.map((e) => e.leaf.requestId ?? null),
      events.map((e) => e.hash),
      events.map((e) => Buffer.from(e.leaf.prev, 'hex')),
      events.map((e) => e.bytes),
    ]);
    return sealedBatch;
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
