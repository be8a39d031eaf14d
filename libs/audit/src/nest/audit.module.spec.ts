import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import { createDataSource, type DatabaseConnection, DatabaseModule } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { parseVerifierKey } from '../core/signed-note';
import { register } from 'prom-client';
import { AuditCheckpointer } from './audit-checkpointer';
import { AuditSelfVerifier } from './audit-self-verifier';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditModule } from './audit.module';
import { AuditErrorCode } from './audit.errors';
import { CheckpointFileSink } from './checkpoint-file-sink';
import { draftOf, tempDir } from '../../test/audit-test-kit';

describe(AuditModule.name, () => {
  let db: TestDatabase;
  const dir = tempDir();
  const env = { ATTEST_DATA_DIR: dir.path, ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '600000' };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    dir.cleanup();
  });

  // The module's TypeORM closes its DataSource on shutdown, so each app gets its own, as the gateway does.
  const connectionTo = async (target: TestDatabase): Promise<DatabaseConnection> => {
    const dataSource = createDataSource({ url: target.url, poolSize: 2 });
    await dataSource.initialize();
    return { dataSource, mode: 'external', close: async () => undefined };
  };
  const compile = async (moduleEnv: NodeJS.ProcessEnv = env, target = db) =>
    Test.createTestingModule({ imports: [DatabaseModule.forConnection(await connectionTo(target)), AuditModule.forRoot({ env: moduleEnv })] }).compile();

  it('provides AUDIT_RECORDER, generates the key on first start, and seals a checkpoint on shutdown', async () => {
    const app = await compile();
    await app.init();
    const sut = app.get<AuditRecorder>(AUDIT_RECORDER);
    const receipt = await sut.record(draftOf(0));
    // Events 0 and 1: the first signing key registered, and the writer's own start (PCI DSS 10.2.1.6).
    expect(receipt).toMatchObject({ sequence: 2, chainId: expect.stringMatching(/^attest\.local\/audit\//) });
    const verifierKey = app.get(AuditCheckpointer).signer.verifierKey;
    await app.get(AuditCheckpointer).checkpoint();
    expect(await app.get(AuditSelfVerifier).runOnce()).toMatchObject({ ok: true, size: 3 });
    expect((await register.getSingleMetric('attest_audit_verify_ok')?.get())?.values[0]?.value).toBe(1);
    await app.close();

    const sink = new CheckpointFileSink(join(dir.path, 'audit', 'checkpoints.jsonl'));
    const notes = await sink.readAll();
    expect(notes.length).toBeGreaterThanOrEqual(1);
    const report = await new AuditEvidenceService(db.dataSource).verify({ trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }], lastSeen: notes });
    // The stop is the last event, committed before the final checkpoint seals it.
    expect(report).toMatchObject({ ok: true, size: 4, sealedSize: 4 });
    const actions: { action: string }[] = await db.dataSource.query(`SELECT action FROM audit_event ORDER BY seq`);
    expect(actions.map((row) => row.action)).toEqual(['audit.signing_key_registered', 'audit.writer_started', 'inference.request', 'audit.writer_stopped']);

    const again = await compile();
    await again.init();
    expect(again.get(AuditCheckpointer).signer.verifierKey).toBe(verifierKey);
    await again.close();

    // A rotated key (a new key file) is registered and recorded; the same key again is not.
    const rotated = await compile({ ...env, ATTEST_AUDIT_SIGNING_KEY_FILE: join(dir.path, 'audit', 'signing-key-2026.pem') });
    await rotated.init();
    expect(rotated.get(AuditCheckpointer).signer.verifierKey).not.toBe(verifierKey);
    await rotated.close();
    const registrations: { doc: { details: { rotation: boolean; earlierKeys: number } } }[] = await db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.signing_key_registered' ORDER BY seq`,
    );
    expect(registrations.map((row) => row.doc.details)).toMatchObject([{ rotation: false, earlierKeys: 0 }, { rotation: true, earlierKeys: 1 }]);
  });

  it('refuses to start when the database is behind the checkpoint sink', async () => {
    const other = tempDir();
    try {
      const first = await compile({ ...env, ATTEST_DATA_DIR: other.path });
      await first.init();
      await first.get<AuditRecorder>(AUDIT_RECORDER).record(draftOf(1));
      await first.close();
      const behind = await createTestDatabase();
      try {
        const app = await compile({ ...env, ATTEST_DATA_DIR: other.path }, behind);
        await expect(app.init()).rejects.toMatchObject({ code: AuditErrorCode.RolledBack });
        await app.close().catch(() => undefined);
      } finally {
        await behind.drop();
      }
    } finally {
      other.cleanup();
    }
  });
});
