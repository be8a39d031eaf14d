import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Client } from 'pg';
import type { LeafBatch } from '../core/leaf-batch-check';
import { LeafCheckPool } from '../core/leaf-check-pool';
import { VerifyFailureCode } from '../core/verify-failure';
import { AuditEvidenceService } from './audit-evidence.service';
import { recordMany, startRig, tempDir, type AuditRig } from '../../test/audit-test-kit';

const check = LeafCheckPool.prototype.check;
let answeredByWorkers = 0;
jest.spyOn(LeafCheckPool.prototype, 'check').mockImplementation(function (this: LeafCheckPool, batch: LeafBatch) {
  return check.call(this, batch).then((facts) => {
    answeredByWorkers++;
    return facts;
  });
});

describe('database verification in worker threads', () => {
  const dir = tempDir();
  let db: TestDatabase;
  let rig: AuditRig;

  /** Runs `tamper` as the superuser with triggers off, then restores every event row as it was. */
  async function tampered<T>(tamper: (client: Client) => Promise<unknown>, inspect: () => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query('CREATE TEMP TABLE original AS SELECT * FROM audit_event');
      await tamper(client);
      try {
        return await inspect();
      } finally {
        await client.query('DELETE FROM audit_event');
        await client.query('INSERT INTO audit_event SELECT * FROM original');
      }
    } finally {
      await client.end();
    }
  }

  /** The sequential report and the one with two (started) workers and small batches. */
  async function bothWays() {
    const service = new AuditEvidenceService(db.dataSource);
    const options = { trustedKeys: rig.trustedKeys, lastSeen: await rig.sink.readAll() };
    const sequential = await service.verify({ ...options, workers: 0 });
    const pool = LeafCheckPool.spawn(2);
    expect(await pool.ready()).toBe(2);
    const before = answeredByWorkers;
    const inParallel = await service.verify({ ...options, pool, batchSize: 100 });
    return { sequential, inParallel, batchesFromWorkers: answeredByWorkers - before };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    rig = await startRig(db.dataSource, dir.path);
    await recordMany(rig.writer, 1_200, 32);
    await rig.checkpointer.checkpoint();
    await recordMany(rig.writer, 100, 8, 1_200);
    await rig.writer.close();
  });
  afterAll(async () => {
    await db.drop();
    dir.cleanup();
  });

  it('gives the sequential report for the untouched log, with batches checked in the workers', async () => {
    const { sequential, inParallel, batchesFromWorkers } = await bothWays();
    expect(sequential).toMatchObject({ ok: true, size: 1_300, eventsChecked: 1_300, sealedSize: 1_200, unsealed: 100 });
    expect(inParallel).toEqual(sequential);
    expect(batchesFromWorkers).toBeGreaterThan(0);
  });

  it.each([
    ['a changed field in the signed bytes', VerifyFailureCode.EventHashMismatch, 700, (c: Client) => c.query(`UPDATE audit_event SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"outcome":"success"', '"outcome":"failure"'), 'UTF8') WHERE seq = 700`)],
    ['a byte that is not UTF-8', VerifyFailureCode.EventNotCanonical, 1_000, (c: Client) => c.query(`UPDATE audit_event SET canonical = set_byte(canonical, 20, 255) WHERE seq = 1000`)],
    ['a changed search column', VerifyFailureCode.EventColumnMismatch, 800, (c: Client) => c.query(`UPDATE audit_event SET action = 'login' WHERE seq = 800`)],
    ['a changed tenant column', VerifyFailureCode.EventColumnMismatch, 1_250, (c: Client) => c.query(`UPDATE audit_event SET tenant = 'other' WHERE seq = 1250`)],
    ['two swapped events', VerifyFailureCode.EventOutOfPlace, 500, async (c: Client) => {
      await c.query('UPDATE audit_event SET seq = 1000500 WHERE seq = 500');
      await c.query('UPDATE audit_event SET seq = 500 WHERE seq = 501');
      await c.query('UPDATE audit_event SET seq = 501 WHERE seq = 1000500');
    }],
    ['a deleted event', VerifyFailureCode.EventMissing, 900, (c: Client) => c.query('DELETE FROM audit_event WHERE seq = 900')],
  ])('reports %s exactly as the sequential pass (%s at %i)', async (_, code, seq, tamper) => {
    const { sequential, inParallel, batchesFromWorkers } = await tampered(tamper, bothWays);
    expect(sequential.failure).toMatchObject({ code, seq });
    expect(inParallel).toEqual(sequential);
    expect(batchesFromWorkers).toBeGreaterThan(0);
  });
});
