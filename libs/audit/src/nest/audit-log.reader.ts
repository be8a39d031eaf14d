import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { readLeaf } from '../core/audit-event';
import type { LogEntry } from '../core/log-verifier';
import { SpanRun } from '../core/parallel-verify';
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
/** Rows per page for the verifier: binary COPY makes a page cheap to read, so fewer round trips. */
const VERIFY_PAGE = 10_000;

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
   * Every event with seq ≥ `fromSeq`, ascending, as the verifier reads them: pages of raw rows by binary COPY (no hex or
   * per-row objects), each as a run of positions; the next page is fetched while the caller checks this one. The same
   * rows, in the same order, as {@link eventPages}.
   */
  async *verifierRuns(fromSeq: number): AsyncGenerator<SpanRun> {
    const read = (from: number) => withClient(this.dataSource, (client) => copyPage(client, from));
    let next = read(fromSeq);
    for (;;) {
      const page = await next;
      const count = page.seqs.length;
      if (count === 0) return;
      const more = count === VERIFY_PAGE;
      if (more) {
        next = read((page.seqs[count - 1] as number) + 1);
        next.catch(() => undefined); // awaited on the next turn; a caller that stops early never sees it fail
      }
      yield pageRun(page);
      if (!more) return;
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

/** One page of a binary COPY of audit_event: offsets of each row's fields in `data`, -1 for NULL. */
interface CopiedPage {
  data: Buffer;
  seqs: Float64Array;
  hashSpans: Float64Array;
  spans: Float64Array;
  /** id, action, outcome, tenant: eight offsets per row. */
  columnSpans: Float64Array;
}

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COPY_FIELDS = 7; // seq, id, action, outcome, tenant, leaf_hash, canonical

async function copyPage(client: PoolClient, fromSeq: number): Promise<CopiedPage> {
  if (!Number.isSafeInteger(fromSeq)) throw new RangeError(`bad sequence number ${fromSeq}`);
  // COPY takes no parameters: fromSeq is a checked integer and PAGE a constant.
  const copy = new BinaryCopyOut(
    `COPY (SELECT seq, id::text, action, outcome, tenant, leaf_hash, canonical FROM audit_event WHERE seq >= ${fromSeq} ORDER BY seq LIMIT ${VERIFY_PAGE}) TO STDOUT (FORMAT binary)`,
  );
  client.query(copy);
  return parseCopy(await copy.done);
}

/** Splits PostgreSQL's binary COPY format (signature, flags, extension, then tuples of length-prefixed fields). */
function parseCopy(data: Buffer): CopiedPage {
  if (data.length < 19 || !data.subarray(0, 11).equals(COPY_SIGNATURE)) throw new Error('not a binary COPY stream');
  let at = 19 + data.readInt32BE(15);
  const seqs = new Float64Array(VERIFY_PAGE);
  const offsets = new Float64Array(VERIFY_PAGE * 2 * (COPY_FIELDS - 1));
  let rows = 0;
  for (let fields = data.readInt16BE(at); fields !== -1; fields = data.readInt16BE(at)) {
    if (fields !== COPY_FIELDS || rows === VERIFY_PAGE) throw new Error(`unexpected COPY row (${fields} fields) after ${rows} rows`);
    at += 2;
    for (let field = 0; field < COPY_FIELDS; field++) {
      const length = data.readInt32BE(at);
      at += 4;
      const start = length < 0 ? -1 : at;
      if (length > 0) at += length;
      // int8 as the text protocol's Number(row.seq) reads it; NULL as Number(null).
      if (field === 0) seqs[rows] = start < 0 ? 0 : Number(data.readBigInt64BE(start));
      else {
        const slot = (rows * (COPY_FIELDS - 1) + field - 1) * 2;
        offsets[slot] = start;
        offsets[slot + 1] = length < 0 ? -1 : at;
      }
    }
    rows++;
  }
  // Offsets per row: id, action, outcome, tenant, leaf_hash, canonical.
  const columnSpans = new Float64Array(rows * 8);
  const hashSpans = new Float64Array(rows * 2);
  const spans = new Float64Array(rows * 2);
  for (let row = 0; row < rows; row++) {
    const base = row * 12;
    columnSpans.set(offsets.subarray(base, base + 8), row * 8);
    hashSpans.set(offsets.subarray(base + 8, base + 10), row * 2);
    spans.set(offsets.subarray(base + 10, base + 12), row * 2);
  }
  return { data, seqs: seqs.slice(0, rows), hashSpans, spans, columnSpans };
}

/** A copied page as positions for the verifier; `entry` is the row exactly as {@link AuditLogReader.eventPages} reads it. */
function pageRun(page: CopiedPage): SpanRun {
  const { data, seqs, hashSpans, columnSpans } = page;
  const slice = (spans: Float64Array, index: number): Buffer | null => ((spans[2 * index] as number) < 0 ? null : data.subarray(spans[2 * index], spans[2 * index + 1]));
  const text = (index: number, field: number): string | null => {
    const start = columnSpans[8 * index + 2 * field] as number;
    return start < 0 ? null : data.toString('utf8', start, columnSpans[8 * index + 2 * field + 1]);
  };
  const entry = (index: number): LogEntry => {
    const seq = seqs[index] as number;
    const columns = { seq, id: text(index, 0), action: text(index, 1), outcome: text(index, 2), tenant: text(index, 3) };
    // NULLs travel as the text protocol delivers them (null), compared as the sequential pass always did.
    return { bytes: slice(page.spans, index) ?? undefined, storedHash: slice(hashSpans, index) ?? undefined, rowSeq: seq, columns: columns as LogEntry['columns'] };
  };
  return new SpanRun({ data, spans: page.spans, columnSpans, storedHash: (index) => slice(hashSpans, index) ?? undefined, rowSeq: (index) => seqs[index] as number, entry });
}

/**
 * A `COPY … TO STDOUT` for node-postgres (a custom submittable, as pg-copy-streams is): collects the CopyData messages
 * into one buffer. Each message's chunk is a view of the connection's read buffer, so it is copied at once.
 */
class BinaryCopyOut {
  readonly done: Promise<Buffer>;
  callback?: (error: Error | null, result?: unknown) => void;
  private buffer = Buffer.alloc(1 << 20);
  private size = 0;
  private error: Error | undefined;
  private settle!: { resolve(data: Buffer): void; reject(error: Error): void };

  constructor(readonly text: string) {
    this.done = new Promise<Buffer>((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    const chunk = message.chunk;
    if (this.size + chunk.length > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(2 * this.buffer.length, this.size + chunk.length));
      this.buffer.copy(grown, 0, 0, this.size);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.size);
    this.size += chunk.length;
  }

  handleCommandComplete(): void {
    // The rows are complete; ReadyForQuery, which follows, settles the page.
  }

  handleReadyForQuery(): void {
    this.callback?.(this.error ?? null);
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve(this.buffer.subarray(0, this.size));
  }

  handleError(error: Error): void {
    // A server error is followed by ReadyForQuery; a broken connection is not: reject now either way (once).
    this.error ??= error;
    this.settle.reject(error);
  }

  // Messages a COPY TO never receives; were one to come, the page is not to be trusted.
  handleRowDescription(): void {
    this.error ??= new Error('unexpected row description during COPY');
  }

  handleDataRow(): void {
    this.error ??= new Error('unexpected data row during COPY');
  }

  handleEmptyQuery(): void {
    this.error ??= new Error('empty COPY statement');
  }

  handlePortalSuspended(): void {
    this.error ??= new Error('unexpected portal suspension during COPY');
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('not a COPY FROM');
  }
}
