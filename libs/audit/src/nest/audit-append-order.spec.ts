import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Client } from 'pg';
import { formatTimestamp, parseTimestampMicros, type SealedEvent, sealEvent, toEventContent } from '../core/audit-event';
import { AUDIT_BATCH_LOCK_CLASS, INSERT_BATCH, insertBatchParameters } from './audit-batch-statement';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditWriter } from './audit-writer';
import { draftOf, writerOptions } from '../../test/audit-test-kit';

/**
 * Pipelined group commit at the database (AuditAppendInOrder1795640600000): a batch sealed after one that has not
 * committed yet waits for it, instead of being refused as a gap, while that batch holds the lock named after its end.
 * (The wait is only seen if the writer's lock class is the one the migration waits on.)
 */
describe('audit append in order (pipelined batches)', () => {
  let db: TestDatabase;
  const sessions: Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await db.drop();
  });

  async function session(): Promise<Client> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    sessions.push(client);
    return client;
  }

  /** Two batches after the current head: `first` (two events), then `second` (one event) sealed on top of it. */
  async function twoBatches(): Promise<{ size: number; first: SealedEvent[]; second: SealedEvent[] }> {
    const [head] = await db.dataSource.query<{ origin: string; size: string; head_hash: Buffer; epoch: string; head_ts: Date | null }[]>('SELECT origin, size, head_hash, epoch, head_ts FROM audit_log WHERE id = 1');
    const size = Number(head!.size);
    let micros = Math.max(Date.now() * 1000, head!.head_ts ? parseTimestampMicros(head!.head_ts.toISOString().replace('Z', '000Z')) + 1 : 0);
    let prev = head!.head_hash;
    const events = [0, 1, 2].map((index) => {
      const sealed = sealEvent(toEventContent(draftOf(index), 'hash'), { origin: head!.origin, seq: size + index, id: crypto.randomUUID(), ts: formatTimestamp(micros++), epoch: Number(head!.epoch), prev, writer: 'spec' });
      prev = sealed.hash;
      return sealed;
    });
    return { size, first: events.slice(0, 2), second: events.slice(2) };
  }

  const waitingOnAdvisoryLock = async (pid: number) =>
    (await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND locktype = 'advisory' AND NOT granted`, [pid]))[0]!.n === 1;

  async function until(condition: () => Promise<boolean>): Promise<void> {
    for (let tries = 0; tries < 100 && !(await condition()); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await condition()).toBe(true);
  }

  /**
   * Two sessions: the earlier holds the advisory lock its batch (the first two events) is named after, the later sends
   * the third event, which reaches the head first; resolves once the later insert waits on that lock.
   */
  async function laterBatchWaiting() {
    const { size, first, second } = await twoBatches();
    const earlier = await session();
    const later = await session();
    await earlier.query(`BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_BATCH_LOCK_CLASS}, ${size + 2})`);
    const laterPid = (await later.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const laterInsert = later.query(INSERT_BATCH, insertBatchParameters(second));
    let settled = false;
    laterInsert.then(
      () => (settled = true),
      () => (settled = true),
    );
    await until(() => waitingOnAdvisoryLock(laterPid));
    return { size, first, second, earlier, laterInsert, settled: () => settled };
  }

  it('makes a batch that reaches the head before the one it follows wait for it, then commits both in order', async () => {
    const { size, first, second, earlier, laterInsert, settled } = await laterBatchWaiting();
    expect(settled()).toBe(false);
    await earlier.query(INSERT_BATCH, insertBatchParameters(first));
    await earlier.query('COMMIT');
    await expect(laterInsert).resolves.toMatchObject({ rowCount: 1 });
    const [head] = await db.dataSource.query<{ size: string; head_hash: Buffer }[]>('SELECT size, head_hash FROM audit_log WHERE id = 1');
    expect(Number(head!.size)).toBe(size + 3);
    expect(head!.head_hash.equals(second[0]!.hash)).toBe(true);
  });

  it('refuses the waiting batch as stale when the one before it rolls back', async () => {
    const { size, first, earlier, laterInsert } = await laterBatchWaiting();
    await earlier.query(INSERT_BATCH, insertBatchParameters(first));
    await earlier.query('ROLLBACK');
    await expect(laterInsert).rejects.toMatchObject({ code: '40001', message: expect.stringMatching(/^audit append refused at sequence/) });
    const [head] = await db.dataSource.query<{ size: string }[]>('SELECT size FROM audit_log WHERE id = 1');
    expect(Number(head!.size)).toBe(size);
  });

  it('stores canonical bytes exactly whatever they hold, through the binary batch', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions());
    const details = { quote: `it's "quoted"`, backslash: 'C:\\temp\\x00 \\\\', dollar: '$$ $tag$ E\'\\x\'', control: 'tab\tnul\u0000', emoji: '🦀 ü ß 漢字' };
    const receipt = await sut.record(draftOf(0, { details }));
    await sut.close();
    const [row] = await db.dataSource.query<{ canonical: Buffer }[]>('SELECT canonical FROM audit_event WHERE seq = $1', [receipt.sequence]);
    expect(JSON.parse(row!.canonical.toString('utf8')).details).toEqual(details);
  });

  it('commits many concurrent callers through several batches in flight as one chain that verifies', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions({ maxInFlight: 3 }));
    const [before] = await db.dataSource.query<{ size: string }[]>('SELECT size FROM audit_log WHERE id = 1');
    await Promise.all(Array.from({ length: 64 }, async (_, caller) => {
      for (let round = 0; round < 10; round++) await sut.record(draftOf(caller * 10 + round));
    }));
    await sut.close();
    const [after] = await db.dataSource.query<{ size: string }[]>('SELECT size FROM audit_log WHERE id = 1');
    expect(Number(after!.size) - Number(before!.size)).toBe(640);
    const report = await new AuditEvidenceService(db.dataSource).verify({ trustedKeys: [] });
    expect(report).toMatchObject({ ok: true });
  });
});
