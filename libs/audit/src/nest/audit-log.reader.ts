import type { DataSource } from 'typeorm';
import { readLeaf } from '../core/audit-event';
import { anchorOf, parseRetentionDetails, type RetentionAnchor } from '../core/retention';
import { AuditError, AuditErrorCode } from './audit.errors';
import { type LogHead, readHead, withClient } from './audit-database';

export interface StoredEventRow {
  seq: number;
  id: string;
  tenant: string;
  action: string;
  outcome: string;
  leafHash: Buffer;
  prevHash: Buffer;
  canonical: Buffer;
}

interface RawEventRow {
  seq: string;
  id: string;
  tenant: string;
  action: string;
  outcome: string;
  leaf_hash: Buffer;
  prev_hash: Buffer;
  canonical: Buffer;
}

const PAGE = 5_000;

/**
 * Reads the audit tables for the verifier, the exporter and the prover; never writes. Pages by sequence number
 * (keyset), so a tailing reader never skips an event: rows are only ever appended at the end.
 *
 * @example
 * const reader = new AuditLogReader(dataSource);
 * for await (const page of reader.eventPages(0)) for (const row of page) use(row);
 */
export class AuditLogReader {
  constructor(private readonly dataSource: DataSource) {}

  head(): Promise<LogHead> {
    return withClient(this.dataSource, readHead);
  }

  /** Events with seq ≥ `fromSeq` (and < `toSeq`), ascending, a page at a time. */
  async *eventPages(fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER, withBytes = true): AsyncGenerator<StoredEventRow[]> {
    let next = fromSeq;
    for (;;) {
      const rows = await withClient(this.dataSource, async (client) => {
        const { rows } = await client.query<RawEventRow>(
          `SELECT seq, id, tenant, action, outcome, leaf_hash, prev_hash, ${withBytes ? 'canonical' : `''::bytea AS canonical`}
           FROM audit_event WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT ${PAGE}`,
          [next, toSeq],
        );
        return rows;
      });
      if (rows.length === 0) return;
      yield rows.map((row) => ({ seq: Number(row.seq), id: row.id, tenant: row.tenant, action: row.action, outcome: row.outcome, leafHash: row.leaf_hash, prevHash: row.prev_hash, canonical: row.canonical }));
      next = Number((rows[rows.length - 1] as RawEventRow).seq) + 1;
      if (rows.length < PAGE) return;
    }
  }

  /**
   * The newest retention drop, if any: the canonical bytes of its `audit.retention_applied` event and the anchor they
   * record. Untrusted like every row: the verifier checks the event at its own position and against checkpoints.
   */
  retention(): Promise<{ event: Buffer; seq: number; anchor: RetentionAnchor } | undefined> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ seq: string; canonical: Buffer }>(
        `SELECT e.seq, e.canonical FROM audit_retention r JOIN audit_event e ON e.seq = r.retention_seq ORDER BY r.retained_from DESC LIMIT 1`,
      );
      const row = rows[0];
      if (!row) {
        const { rows: dropped } = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_retention');
        if (Number(dropped[0]?.n ?? 0) > 0) throw new AuditError(AuditErrorCode.Forked, 'the newest retention event is not in the log');
        return undefined;
      }
      const details = parseRetentionDetails(readLeaf(row.canonical).details);
      const anchor = details && anchorOf(details);
      if (!anchor) throw new AuditError(AuditErrorCode.Forked, `the retention event at ${row.seq} is malformed`);
      return { event: row.canonical, seq: Number(row.seq), anchor };
    });
  }

  /** Signed checkpoint notes, smallest tree first. */
  checkpoints(maxSize = Number.MAX_SAFE_INTEGER): Promise<{ size: number; note: string }[]> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ tree_size: string; note: string }>('SELECT tree_size, note FROM audit_checkpoint WHERE tree_size <= $1 ORDER BY tree_size', [maxSize]);
      return rows.map((row) => ({ size: Number(row.tree_size), note: row.note }));
    });
  }

  publicKeys(): Promise<string[]> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ verifier_key: string }>('SELECT verifier_key FROM audit_signing_key ORDER BY created_at, verifier_key');
      return rows.map((row) => row.verifier_key);
    });
  }

  async findEvent(id: string): Promise<{ seq: number; canonical: Buffer }> {
    const row = await withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ seq: string; canonical: Buffer }>('SELECT seq, canonical FROM audit_event WHERE id::text = $1', [id]);
      return rows[0];
    });
    if (!row) throw new AuditError(AuditErrorCode.EventNotFound, `no audit event ${id}`);
    return { seq: Number(row.seq), canonical: row.canonical };
  }

  /** The sequence range [first, last + 1) of events stamped within [from, to). */
  seqRange(from: Date, to: Date): Promise<{ firstSeq: number; endSeq: number }> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<{ first: string | null; last: string | null }>('SELECT min(seq) AS first, max(seq) AS last FROM audit_event WHERE ts >= $1 AND ts < $2', [from, to]);
      const row = rows[0];
      if (!row?.first || !row.last) return { firstSeq: 0, endSeq: 0 };
      return { firstSeq: Number(row.first), endSeq: Number(row.last) + 1 };
    });
  }
}
