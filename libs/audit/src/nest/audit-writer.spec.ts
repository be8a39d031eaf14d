import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { readLeaf } from '../core/audit-event';
import { leafHash, toHex } from '../core/hashing';
import { withClient } from './audit-database';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditError, AuditErrorCode } from './audit.errors';
import { AuditWriter } from './audit-writer';
import { draftOf, recordMany, startRig, tempDir, writerOptions } from '../../test/audit-test-kit';

describe(AuditWriter.name, () => {
  let db: TestDatabase;
  const dir = tempDir();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    dir.cleanup();
  });

  it('commits concurrent records as one dense chain, resolving each with its receipt after COMMIT', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions());
    const receipts = await Promise.all(Array.from({ length: 300 }, (_, index) => sut.record(draftOf(index))));
    expect(receipts.map((r) => r.sequence).sort((a, b) => a - b)).toEqual([...Array(300).keys()]);
    const rows = await db.dataSource.query<{ seq: string; leaf_hash: Buffer; canonical: Buffer }[]>('SELECT seq, leaf_hash, canonical FROM audit_event ORDER BY seq');
    for (const receipt of receipts) {
      const row = rows[receipt.sequence]!;
      expect(toHex(row.leaf_hash)).toBe(receipt.leafHash);
      expect(toHex(leafHash(row.canonical))).toBe(receipt.leafHash);
      expect(readLeaf(row.canonical)).toMatchObject({ id: receipt.id, seq: receipt.sequence, origin: receipt.chainId, writer: 'spec' });
    }
    await sut.close();
  });

  it('keeps only hashes of the payload in hash mode, the redacted text in redacted mode', async () => {
    const hashing = new AuditWriter(db.dataSource, writerOptions({ payloadMode: 'hash' }));
    const redacting = new AuditWriter(db.dataSource, writerOptions({ payloadMode: 'redacted' }));
    const hashed = await hashing.record(draftOf(1, { payload: { prompt: 'my secret prompt' } }));
    const kept = await redacting.record(draftOf(1, { payload: { prompt: 'Hello [EMAIL]' } }));
    const bytesOf = async (seq: number) => ((await db.dataSource.query<{ canonical: Buffer }[]>('SELECT canonical FROM audit_event WHERE seq = $1', [seq]))[0]!.canonical.toString());
    expect(await bytesOf(hashed.sequence)).not.toContain('my secret prompt');
    expect(readLeaf(Buffer.from(await bytesOf(hashed.sequence))).payload).toEqual({ mode: 'hash', promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(readLeaf(Buffer.from(await bytesOf(kept.sequence))).payload).toEqual({ mode: 'redacted', prompt: 'Hello [EMAIL]' });
    await Promise.all([hashing.close(), redacting.close()]);
  });

  it('refuses an event JCS cannot represent, without harming the rest of its batch', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions({ flushDelayMs: 20 }));
    const [bad, good] = await Promise.allSettled([sut.record(draftOf(0, { details: { note: 'lone \ud800' } })), sut.record(draftOf(1))]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: AuditErrorCode.EventInvalid } });
    expect(good.status).toBe('fulfilled');
    await sut.close();
  });

  it('fails closed: rejects when the database cannot take the record, when overloaded and after close', async () => {
    const broken = await createTestDatabase();
    const sut = new AuditWriter(broken.dataSource, writerOptions());
    await broken.drop();
    await expect(sut.record(draftOf(0))).rejects.toMatchObject({ code: AuditErrorCode.Unavailable });
    const tiny = new AuditWriter(db.dataSource, writerOptions({ maxQueue: 1, flushDelayMs: 50 }));
    const first = tiny.record(draftOf(0));
    await expect(tiny.record(draftOf(1))).rejects.toMatchObject({ code: AuditErrorCode.Overloaded });
    await first;
    await tiny.close();
    await expect(tiny.record(draftOf(2))).rejects.toBeInstanceOf(AuditError);
  });

  it('commits a record that arrives while a flush is ending, whatever the promise depth of its caller', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions({ flushDelayMs: 0 }));
    for (let ticks = 0; ticks < 6; ticks++) {
      await sut.record(draftOf(2 * ticks));
      // The next record lands a few microtasks after the previous receipt: for one of these, between the flush loop's
      // last look at the queue and its cleanup (it used to wait there until some other event came along).
      for (let tick = 0; tick < ticks; tick++) await Promise.resolve();
      const next = sut.record(draftOf(2 * ticks + 1));
      const stalled = new Promise((_, reject) => setTimeout(() => reject(new Error(`record stalled after ${ticks} ticks`)), 3_000).unref());
      await expect(Promise.race([next, stalled])).resolves.toMatchObject({ sequence: expect.any(Number) });
    }
    await sut.close();
  });

  it('recovers when another writer appended since its last batch (a stale head guess), keeping one dense chain', async () => {
    const own = await createTestDatabase();
    const rig = await startRig(own.dataSource, dir.path, 'stale-head-sink.jsonl');
    const other = new AuditWriter(own.dataSource, writerOptions({ writerId: 'other' }));
    const receipts = [];
    // Alternating writers: every batch of each one is sealed against a head the other has already moved.
    for (let index = 0; index < 12; index++) receipts.push(await (index % 2 === 0 ? rig.writer : other).record(draftOf(index)));
    const sequences = receipts.map((receipt) => receipt.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(12);
    await other.close();
    await rig.writer.close();
    await rig.checkpointer.checkpoint();
    const report = await new AuditEvidenceService(own.dataSource).verify({ trustedKeys: rig.trustedKeys, lastSeen: await rig.sink.readAll() });
    expect(report).toMatchObject({ ok: true, unsealed: 0 });
    await own.drop();
  });

  it('commits a batch of large payloads (300 KB each) in order', async () => {
    const sut = new AuditWriter(db.dataSource, writerOptions({ payloadMode: 'redacted' }));
    const long = 'x'.repeat(300_000);
    const receipts = await Promise.all([0, 1, 2, 3].map((index) => sut.record(draftOf(index, { payload: { prompt: `${index} ${long}` } }))));
    await sut.close();
    const sequences = receipts.map((receipt) => receipt.sequence).sort((a, b) => a - b);
    expect(sequences[3]! - sequences[0]!).toBe(3);
    const stored: { n: number }[] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE octet_length(canonical) > 300000`);
    expect(stored[0]!.n).toBe(4);
  });

  it('rejects a batch sequenced under an older fencing epoch, and writes on under the new one', async () => {
    const [head] = await db.dataSource.query<{ size: string; head_hash: Buffer; epoch: string }[]>('SELECT size, head_hash, epoch FROM audit_log');
    await db.dataSource.query('SELECT audit_advance_epoch()');
    const stale = withClient(db.dataSource, (client) => client.query(
      `INSERT INTO audit_event (seq, id, ts, epoch, tenant, action, outcome, actor_id, leaf_hash, prev_hash, canonical)
       VALUES ($1, gen_random_uuid(), now(), $2, 'default', 'x', 'success', 'p', sha256('\\x00'::bytea || '\\x7b7d'::bytea), $3, '\\x7b7d'::bytea)`,
      [head!.size, head!.epoch, head!.head_hash],
    ));
    await expect(stale).rejects.toThrow(/audit append refused/);
    const sut = new AuditWriter(db.dataSource, writerOptions());
    await expect(sut.record(draftOf(0))).resolves.toMatchObject({ sequence: Number(head!.size) });
    await sut.close();
  });

  it('produces a log that verifies after a signed checkpoint, and reports open requests as incomplete', async () => {
    const rig = await startRig(db.dataSource, dir.path);
    await recordMany(rig.writer, 101, 16);
    await rig.checkpointer.checkpoint();
    const report = await new AuditEvidenceService(db.dataSource).verify({ trustedKeys: rig.trustedKeys, lastSeen: await rig.sink.readAll() });
    expect(report).toMatchObject({ ok: true, unsealed: 0, checkpointsVerified: 1, lastSeenVerified: 1 });
    expect(report.incompleteRequests.count).toBeGreaterThan(0);
    await rig.writer.close();
  });
});
