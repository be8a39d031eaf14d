import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Client } from 'pg';
import { verifyBundle } from '../core/evidence-bundle';
import { verifyInclusionEvidence } from '../core/inclusion-evidence';
import { VerifyFailureCode } from '../core/verify-failure';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditCheckpointer } from './audit-checkpointer';
import { AuditRetention } from './audit-retention';
import { AuditWriter } from './audit-writer';
import { LegalHolds } from './legal-holds';
import { draftOf, startRig, tempDir, writerOptions, type AuditRig } from '../../test/audit-test-kit';

const ACTOR = { principalId: 'records-officer', kind: 'user', tenant: 'default', authMethod: 'api_key' } as const;
const micros = (iso: string) => Date.parse(iso) * 1000;

/** A log with 10 events in January 2019, 8 in February, 5 in March, then 3 today; checkpoints along the way. */
async function seedMonths(db: TestDatabase, rig: AuditRig, clock: { now: number }): Promise<AuditWriter> {
  await rig.writer.close();
  const writer = new AuditWriter(db.dataSource, writerOptions({ clockMicros: () => clock.now++ }));
  const retention = new AuditRetention(db.dataSource, writer, rig.checkpointer, new LegalHolds(db.dataSource, writer), { retentionMonths: 12, intervalMs: 0 });
  await retention.ensurePartitions(new Date('2019-02-15T00:00:00Z'));
  let index = 0;
  for (const [month, count] of [['2019-01-05T00:00:00Z', 10], ['2019-02-05T00:00:00Z', 8], ['2019-03-05T00:00:00Z', 5]] as const) {
    clock.now = micros(month);
    for (let n = 0; n < count; n++) await writer.record(draftOf(index++));
    await rig.checkpointer.checkpoint();
  }
  clock.now = Date.now() * 1000;
  for (let n = 0; n < 3; n++) await writer.record(draftOf(index++));
  await rig.checkpointer.checkpoint();
  return writer;
}

async function superuser<T>(db: TestDatabase, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('audit retention on PostgreSQL: monthly partitions, legal holds, drops that still verify', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  let db: TestDatabase;
  let rig: AuditRig;
  let writer: AuditWriter;
  let holds: LegalHolds;
  let retention: AuditRetention;
  let sinkIndex = 0;
  const evidence = () => new AuditEvidenceService(db.dataSource);
  const verify = async (minRetentionMonths?: number) => evidence().verify({ trustedKeys: rig.trustedKeys, lastSeen: await rig.sink.readAll(), minRetentionMonths });

  beforeEach(async () => {
    db = await createTestDatabase();
    rig = await startRig(db.dataSource, dir.path, `retention-sink-${sinkIndex++}.jsonl`);
    writer = await seedMonths(db, rig, { now: 0 });
    holds = new LegalHolds(db.dataSource, writer, 'attest_audit_writer');
    retention = new AuditRetention(db.dataSource, writer, rig.checkpointer, holds, { retentionMonths: 12, intervalMs: 0, dbRole: 'attest_audit_writer' });
  });
  afterEach(async () => {
    await writer.close();
    await db.drop();
  });

  it('keeps each month in its own partition and plans which are due', async () => {
    const plan = await retention.plan();
    const byName = Object.fromEntries(plan.partitions.map((p) => [p.name, p]));
    expect(byName['audit_event_y2019m01']).toMatchObject({ events: 10, firstSeq: 0, status: 'due', from: '2019-01-01T00:00:00.000Z', to: '2019-02-01T00:00:00.000Z', dueAt: '2020-02-01T00:00:00.000Z' });
    expect(byName['audit_event_y2019m02']).toMatchObject({ events: 8, firstSeq: 10, status: 'due' });
    expect(byName['audit_event_y2019m03']).toMatchObject({ events: 5, firstSeq: 18, status: 'due' });
    expect(byName['audit_event_default']).toMatchObject({ status: 'default', events: 0 });
    expect(plan.partitions.filter((p) => p.status === 'current').reduce((sum, p) => sum + p.events, 0)).toBe(3);
    expect(plan.retainedFrom).toBe(0);
  });

  it('drops due months oldest first under checkpointed retention events; the rest verifies, proves and exports', async () => {
    const run = await retention.apply(ACTOR);
    expect(run.dropped.filter((d) => d.events > 0).map((d) => [d.partition, d.events, d.retainedFrom])).toEqual([
      ['audit_event_y2019m01', 10, 10],
      ['audit_event_y2019m02', 8, 18],
      ['audit_event_y2019m03', 5, 23],
    ]);
    expect(run.stoppedAt).toBeUndefined();
    const { rows } = await superuser(db, (c) => c.query<{ n: number; first: string }>('SELECT count(*)::int AS n, min(seq) AS first FROM audit_event'));
    expect(rows[0]).toEqual({ n: 6, first: '23' });

    await rig.checkpointer.checkpoint();
    const report = await verify();
    expect(report).toMatchObject({ ok: true, size: 29, retainedFrom: 23, retentionDrops: 3, eventsChecked: 6 });
    expect(report.checkpointsBeforeRetention).toBeGreaterThanOrEqual(3);

    const survivor = await superuser(db, (c) => c.query<{ id: string }>('SELECT id FROM audit_event WHERE seq = 24'));
    const proof = await evidence().prove(survivor.rows[0]!.id);
    expect(verifyInclusionEvidence(proof, rig.trustedKeys)).toMatchObject({ ok: true, seq: 24 });

    const { bundle } = await evidence().export({ from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') }, rig.checkpointer.signer);
    expect(verifyBundle(bundle, { trustedKeys: rig.trustedKeys })).toMatchObject({ ok: true, retainedFrom: 23, eventsChecked: 6, size: 29 });

    // A checkpointer started afresh resumes from the recorded frontier.
    const restarted = new AuditCheckpointer(db.dataSource, rig.signingKey, rig.sink, { intervalMs: 0 });
    await expect(restarted.start()).resolves.toBeUndefined();
  });

  it('an auditor demanding a longer retention than was applied gets RETENTION_TOO_EARLY', async () => {
    await retention.apply(ACTOR);
    const report = await verify(12 * 20);
    expect(report).toMatchObject({ ok: false, failure: { code: VerifyFailureCode.RetentionTooEarly } });
  });

  it('a legal hold keeps its month (and every later one) until it is released; both acts are audit events', async () => {
    const hold = await holds.set({ reason: 'Matter 2026-117', coversFrom: '2019-02-10T00:00:00Z', coversTo: '2019-02-11T00:00:00Z' }, ACTOR);
    const held = await retention.apply(ACTOR);
    expect(held.dropped.map((d) => d.partition)).toEqual(['audit_event_y2019m01']);
    expect(held.stoppedAt).toMatchObject({ partition: 'audit_event_y2019m02', reason: expect.stringContaining(hold.id) });
    await expect(superuser(db, (c) => c.query(`SELECT audit_drop_partition('audit_event_y2019m02', 0)`))).rejects.toThrow(/does not record the drop|legal hold/);

    await expect(holds.release(hold.id, { reason: 'Matter closed' }, ACTOR)).resolves.toMatchObject({ release: { releasedBy: 'records-officer' } });
    await expect(holds.release(hold.id, { reason: 'again' }, ACTOR)).rejects.toMatchObject({ code: 'AUDIT_HOLD_RELEASED' });
    const released = await retention.apply(ACTOR);
    expect(released.dropped.filter((d) => d.events > 0).map((d) => d.partition)).toEqual(['audit_event_y2019m02', 'audit_event_y2019m03']);
    await rig.checkpointer.checkpoint();
    expect(await verify()).toMatchObject({ ok: true, retainedFrom: 23, retentionDrops: 3 });
    const actions = await superuser(db, (c) => c.query<{ action: string }>(`SELECT action FROM audit_event WHERE action LIKE 'audit.%' ORDER BY seq`));
    expect(actions.rows.map((r) => r.action)).toEqual([
      'audit.legal_hold_set', 'audit.retention_applied', 'audit.legal_hold_released', 'audit.retention_applied', 'audit.retention_applied',
    ]);
  });

  it('refuses a hold without a reason or with reversed dates', async () => {
    await expect(holds.set({ reason: ' ' }, ACTOR)).rejects.toMatchObject({ code: 'AUDIT_HOLD_INVALID' });
    await expect(holds.set({ reason: 'x', coversFrom: '2020-01-01T00:00:00Z', coversTo: '2019-01-01T00:00:00Z' }, ACTOR)).rejects.toMatchObject({ code: 'AUDIT_HOLD_INVALID' });
    await expect(holds.set({ reason: 'x', coversFrom: 'yesterday' }, ACTOR)).rejects.toMatchObject({ code: 'AUDIT_HOLD_INVALID' });
    await expect(holds.release('0190b3a4-0000-7000-8000-000000000001', { reason: 'x' }, ACTOR)).rejects.toMatchObject({ code: 'AUDIT_HOLD_NOT_FOUND' });
  });

  it('the database refuses drops out of order, without a matching event, and DROP TABLE by anyone else', async () => {
    await expect(superuser(db, (c) => c.query(`SELECT audit_drop_partition('audit_event_y2019m02', 0)`))).rejects.toThrow(/does not start the retained log/);
    await expect(superuser(db, (c) => c.query(`SELECT audit_drop_partition('audit_event_y2019m01', 3)`))).rejects.toThrow(/does not record the drop/);
    await expect(superuser(db, (c) => c.query(`SELECT audit_drop_partition('audit_event_default', 0)`))).rejects.toThrow(/never dropped/);
    await expect(superuser(db, (c) => c.query('DROP TABLE audit_event_y2019m01'))).rejects.toThrow(/may only be dropped by audit retention/);
    await superuser(db, async (c) => {
      await c.query('SET ROLE attest_audit_writer');
      await expect(c.query('DROP TABLE audit_event_y2019m01')).rejects.toThrow(/must be owner|permission denied/);
      await expect(c.query(`INSERT INTO audit_event_y2019m01 SELECT * FROM audit_event WHERE seq = 0`)).rejects.toThrow(/permission denied/);
    });
    expect(await verify()).toMatchObject({ ok: true, retainedFrom: 0 });
  });

  it('catches a month dropped behind retention\'s back (event trigger disabled by a superuser)', async () => {
    await superuser(db, async (c) => {
      await c.query('ALTER EVENT TRIGGER audit_guard_drop DISABLE');
      await c.query('DROP TABLE audit_event_y2019m01');
    });
    expect(await verify()).toMatchObject({ ok: false, failure: { code: VerifyFailureCode.EventMissing, seq: 0 } });
  });

  it('catches a retention record pointing at a forged frontier', async () => {
    await retention.apply(ACTOR);
    await superuser(db, async (c) => {
      await c.query('SET session_replication_role = replica');
      // Point the newest drop at an older retention event: the anchor no longer fits the retained log.
      const { rows } = await c.query<{ retention_seq: string }>('SELECT retention_seq FROM audit_retention ORDER BY retained_from LIMIT 1');
      await c.query('UPDATE audit_retention SET retention_seq = $1 WHERE retained_from = 23', [rows[0]!.retention_seq]);
    });
    const report = await verify();
    // The older drop's frontier starts the pass at 10, where no row is left.
    expect(report.failure).toMatchObject({ code: VerifyFailureCode.EventMissing, seq: 10 });
  });

  it('keeps timestamps in sequence order whatever a writer\'s clock says', async () => {
    const late = new AuditWriter(db.dataSource, writerOptions({ clockMicros: () => micros('2019-01-01T00:00:00Z') }));
    const receipt = await late.record(draftOf(100));
    await late.close();
    const { rows } = await superuser(db, (c) => c.query<{ ts: Date; prior: Date }>('SELECT e.ts, (SELECT ts FROM audit_event WHERE seq = e.seq - 1) AS prior FROM audit_event e WHERE seq = $1', [receipt.sequence]));
    expect(rows[0]!.ts.getTime()).toBeGreaterThanOrEqual(rows[0]!.prior.getTime());
  });
});
