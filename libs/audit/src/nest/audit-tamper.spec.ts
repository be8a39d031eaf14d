import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Client } from 'pg';
import { sealEvent, readLeaf } from '../core/audit-event';
import { VerifyFailureCode } from '../core/verify-failure';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditErrorCode } from './audit.errors';
import { AuditCheckpointer } from './audit-checkpointer';
import { recordMany, startRig, tempDir, type AuditRig } from '../../test/audit-test-kit';

/** Runs statements as the superuser with triggers off (session_replication_role = replica), as an attacker would. */
async function asSuperuser(db: TestDatabase, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await work(client);
  } finally {
    await client.end();
  }
}

/** Re-seals events [from, size) with recomputed hashes, as an insider without the signing key could. */
async function rewriteFrom(client: Client, from: number, edit: (seq: number) => Record<string, unknown>): Promise<void> {
  const { rows } = await client.query<{ seq: string; canonical: Buffer; prev_hash: Buffer }>('SELECT seq, canonical, prev_hash FROM audit_event WHERE seq >= $1 ORDER BY seq', [from]);
  let prev = rows[0]!.prev_hash;
  for (const row of rows) {
    const { v: _v, origin, seq, id, ts, epoch, prev: _prev, writer, ...content } = readLeaf(row.canonical);
    const sealed = sealEvent({ ...content, ...edit(seq) } as typeof content, { origin, seq, id, ts, epoch, prev, writer });
    await client.query('UPDATE audit_event SET canonical = $2, leaf_hash = $3, prev_hash = $4, tenant = $5, outcome = $6 WHERE seq = $1', [seq, sealed.bytes, sealed.hash, prev, sealed.leaf.tenant, sealed.leaf.outcome]);
    prev = sealed.hash;
  }
  await client.query('UPDATE audit_log SET head_hash = $1', [prev]);
}

describe('audit log tampering on PostgreSQL', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  let db: TestDatabase;
  let rig: AuditRig;
  let sinkIndex = 0;
  const verify = async () => new AuditEvidenceService(db.dataSource).verify({ trustedKeys: rig.trustedKeys, lastSeen: await rig.sink.readAll() });

  beforeEach(async () => {
    db = await createTestDatabase();
    rig = await startRig(db.dataSource, dir.path, `sink-${sinkIndex++}.jsonl`);
    await recordMany(rig.writer, 24, 8);
    await rig.checkpointer.checkpoint();
    await recordMany(rig.writer, 3, 3, 24);
    await rig.writer.close();
  });
  afterEach(() => db.drop());

  it('verifies the untouched log, with 3 events not yet sealed', async () => {
    expect(await verify()).toMatchObject({ ok: true, size: 27, sealedSize: 24, unsealed: 3 });
  });

  it.each([
    ['a changed field in the signed bytes', VerifyFailureCode.EventHashMismatch, 10, (c: Client) => c.query(`UPDATE audit_event SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"outcome":"success"', '"outcome":"failure"'), 'UTF8') WHERE seq = 10`)],
    ['a changed search column', VerifyFailureCode.EventColumnMismatch, 11, (c: Client) => c.query(`UPDATE audit_event SET action = 'login' WHERE seq = 11`)],
    ['a deleted event', VerifyFailureCode.EventMissing, 7, (c: Client) => c.query('DELETE FROM audit_event WHERE seq = 7')],
    ['two swapped events', VerifyFailureCode.EventOutOfPlace, 5, async (c: Client) => {
      await c.query('UPDATE audit_event SET seq = 1000005 WHERE seq = 5');
      await c.query('UPDATE audit_event SET seq = 5 WHERE seq = 6');
      await c.query('UPDATE audit_event SET seq = 6 WHERE seq = 1000005');
    }],
    ['an inserted event', VerifyFailureCode.EventOutOfPlace, 21, async (c: Client) => {
      await c.query('UPDATE audit_event SET seq = seq + 1000000 WHERE seq >= 20');
      await c.query('UPDATE audit_event SET seq = seq - 999999 WHERE seq >= 1000000');
      const { rows } = await c.query<{ canonical: Buffer; prev_hash: Buffer }>('SELECT canonical, prev_hash FROM audit_event WHERE seq = 21');
      const { v: _v, origin, id: _id, ts, epoch, prev: _prev, writer, seq: _seq, ...content } = readLeaf(rows[0]!.canonical);
      const forged = sealEvent({ ...content, action: 'api_key.revoked' }, { origin, seq: 20, id: '0190b3a4-0000-7000-8000-000000000001', ts, epoch, prev: rows[0]!.prev_hash, writer });
      await c.query(`INSERT INTO audit_event (seq, id, ts, epoch, tenant, action, outcome, actor_id, leaf_hash, prev_hash, canonical) VALUES (20, $1, now(), $2, 'default', 'api_key.revoked', 'success', 'x', $3, $4, $5)`, [forged.leaf.id, epoch, forged.hash, rows[0]!.prev_hash, forged.bytes]);
      await c.query('UPDATE audit_log SET size = size + 1');
    }],
    ['a forged history with every hash recomputed', VerifyFailureCode.CheckpointRootMismatch, 23, (c: Client) => rewriteFrom(c, 12, (seq) => (seq === 12 ? { outcome: 'denied' } : {}))],
    ['a truncated tail (head adjusted)', VerifyFailureCode.CheckpointBeyondLog, 20, async (c: Client) => {
      await c.query('DELETE FROM audit_event WHERE seq >= 20');
      await c.query(`UPDATE audit_log SET size = 20, head_hash = (SELECT leaf_hash FROM audit_event WHERE seq = 19)`);
    }],
    ['a rollback to an older state (tail and checkpoints gone)', VerifyFailureCode.LogRolledBack, 18, async (c: Client) => {
      await c.query('DELETE FROM audit_event WHERE seq >= 18');
      await c.query('DELETE FROM audit_checkpoint');
      await c.query(`UPDATE audit_log SET size = 18, head_hash = (SELECT leaf_hash FROM audit_event WHERE seq = 17)`);
    }],
    ['a checkpoint with a bad signature', VerifyFailureCode.CheckpointSignatureInvalid, undefined, async (c: Client) => {
      const { rows } = await c.query<{ note: string }>('SELECT note FROM audit_checkpoint');
      const note = rows[0]!.note;
      const at = note.length - 20; // inside the base64 signature
      await c.query('UPDATE audit_checkpoint SET note = $1', [note.slice(0, at) + (note[at] === 'Q' ? 'R' : 'Q') + note.slice(at + 1)]);
    }],
  ])('catches %s (%s)', async (_, code, seq, tamper) => {
    await asSuperuser(db, tamper);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject(seq === undefined ? { code } : { code, seq });
  });

  it('refuses to start over a database behind its sink (restored from an older state)', async () => {
    await asSuperuser(db, async (c) => {
      await c.query('DELETE FROM audit_event WHERE seq >= 18');
      await c.query(`UPDATE audit_log SET size = 18, head_hash = (SELECT leaf_hash FROM audit_event WHERE seq = 17)`);
    });
    const restarted = new AuditCheckpointer(db.dataSource, rig.signingKey, rig.sink, { intervalMs: 0 });
    await expect(restarted.start()).rejects.toMatchObject({ code: AuditErrorCode.RolledBack });
  });

  it('refuses to start over a database whose history differs from its sink', async () => {
    await asSuperuser(db, (c) => rewriteFrom(c, 3, (seq) => (seq === 3 ? { tenant: 'other' } : {})));
    const restarted = new AuditCheckpointer(db.dataSource, rig.signingKey, rig.sink, { intervalMs: 0 });
    await expect(restarted.start()).rejects.toMatchObject({ code: AuditErrorCode.Forked });
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the app role, the auditor role and the owner alike', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const role of ['attest_audit_writer', 'attest_auditor', 'postgres_owner']) {
        await client.query(role === 'postgres_owner' ? 'RESET ROLE' : `SET ROLE ${role}`);
        for (const statement of ['UPDATE audit_event SET action = $$x$$ WHERE seq = 1', 'DELETE FROM audit_event WHERE seq = 1', 'TRUNCATE audit_event', 'DELETE FROM audit_checkpoint', 'TRUNCATE audit_signing_key']) {
          await expect(client.query(statement)).rejects.toThrow(/append-only|permission denied/);
        }
      }
      await client.query('SET ROLE attest_auditor');
      await expect(client.query(`INSERT INTO audit_checkpoint (tree_size, root_hash, note) VALUES (1, sha256('x'), 'n')`)).rejects.toThrow(/permission denied/);
      await expect(client.query('SELECT count(*) FROM audit_event')).resolves.toBeDefined();
    } finally {
      await client.end();
    }
    expect(await verify()).toMatchObject({ ok: true });
  });
});
