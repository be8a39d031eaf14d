import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AuditCheckpointer, AuditWriter, CheckpointFileSink, loadOrCreateSigningKey } from '@attest/audit/nest';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Client } from 'pg';
import { runCli } from '../../test/run-cli';

describe('attest audit', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const ids: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'attest-cli-audit-'));
    env = { DATABASE_URL: db.url, ATTEST_DATA_DIR: dataDir };
    const writer = new AuditWriter(db.dataSource, { payloadMode: 'hash', batchMax: 64, flushDelayMs: 1, maxQueue: 1000, dbRole: 'attest_audit_writer', writerId: 'cli-spec' });
    for (let index = 0; index < 20; index++) {
      const receipt = await writer.record({ action: index % 2 ? 'inference.response' : 'inference.request', outcome: 'success', tenant: 'default', requestId: `r${index >> 1}`, actor: { principalId: 'u1', kind: 'user', tenant: 'default', authMethod: 'api_key' } });
      ids.push(receipt.id);
    }
    await writer.close();
    const key = await loadOrCreateSigningKey(join(dataDir, 'audit', 'signing-key.pem'));
    const checkpointer = new AuditCheckpointer(db.dataSource, key, new CheckpointFileSink(join(dataDir, 'audit', 'checkpoints.jsonl')), { intervalMs: 0 });
    await checkpointer.start();
    await checkpointer.checkpoint();
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verifies the database, exports a bundle that verifies offline, and proves one event', async () => {
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toContain('intact: 20 events');
    expect(verified.code).toBe(0);

    const bundle = join(dataDir, 'evidence.tar');
    const exported = await runCli(['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--out', bundle], env);
    expect(exported.code).toBe(0);
    const exports: { doc: { actor: { authMethod: string }; details: { via: string; events: number } } }[] = await db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.exported'`,
    );
    expect(exports.map((row) => [row.doc.actor.authMethod, row.doc.details.via, row.doc.details.events])).toEqual([['cli', 'cli', 20]]);
    const offline = await runCli(['audit', 'verify', '--bundle', bundle, '--json'], { ATTEST_DATA_DIR: dataDir });
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, size: 20, eventsChecked: 20, sealedSize: 20 });
    expect(offline.code).toBe(0);
    const mistyped = await runCli(['audit', 'verify', '--bundle', bundle, '--key', 'not-a-verifier-key'], { ATTEST_DATA_DIR: dataDir });
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain('[KEY_MALFORMED]');
    expect(mistyped.stderr).not.toMatch(/\n\s+at /);

    const proof = join(dataDir, 'proof.json');
    expect((await runCli(['audit', 'prove', ids[7]!, '--out', proof], env)).code).toBe(0);
    expect(JSON.parse(readFileSync(proof, 'utf8'))).toMatchObject({ seq: 7, treeSize: 20 });
    const checked = await runCli(['audit', 'check-proof', proof], { ATTEST_DATA_DIR: dataDir });
    expect(checked.stdout).toContain('included: event 7');
  });

  it('exits 1 naming the first bad event when a row was deleted', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('SET session_replication_role = replica');
    await client.query('DELETE FROM audit_event WHERE seq = 4');
    await client.end();
    const result = await runCli(['audit', 'verify'], env);
    expect(result.stdout).toContain('NOT INTACT at event 4: [EVENT_MISSING]');
    expect(result.code).toBe(1);
  });
});
