import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AuditRetention, AuditWriter, LegalHolds } from '@attest/audit/nest';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { runCli } from '../../test/run-cli';

describe('attest audit retention and legal holds', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'attest-cli-retention-'));
    env = { DATABASE_URL: db.url, ATTEST_DATA_DIR: dataDir, ATTEST_AUDIT_RETENTION_MONTHS: '12' };
    // Six events in March 2019, four in April: both months are long past a 12-month retention.
    let clock = Date.parse('2019-03-10T00:00:00Z') * 1000;
    const writer = new AuditWriter(db.dataSource, { payloadMode: 'hash', batchMax: 64, flushDelayMs: 1, maxQueue: 1000, dbRole: 'attest_audit_writer', writerId: 'cli-spec', clockMicros: () => clock++ });
    await new AuditRetention(db.dataSource, writer, { checkpoint: async () => undefined }, new LegalHolds(db.dataSource, writer), { retentionMonths: 12, intervalMs: 0 }).ensurePartitions(new Date('2019-03-10T00:00:00Z'));
    for (let index = 0; index < 10; index++) {
      if (index === 6) clock = Date.parse('2019-04-10T00:00:00Z') * 1000;
      await writer.record({ action: 'inference.request', outcome: 'success', tenant: 'default', requestId: `r${index}`, actor: { principalId: 'u1', kind: 'user', tenant: 'default', authMethod: 'api_key' } });
    }
    await writer.close();
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds April, drops March, and the log still verifies; an auditor asking for 20 years sees the early drop', async () => {
    const held = await runCli(['audit', 'hold', 'set', '--reason', 'Matter 2026-117', '--from', '2019-04-01T00:00:00Z', '--to', '2019-05-01T00:00:00Z'], env);
    expect(held.stderr).toBe('');
    expect(held.stdout).toContain('IN FORCE');
    const holdId = held.stdout.split(/\s+/)[0] as string;

    const status = await runCli(['audit', 'retention', 'status', '--json'], env);
    const plan = JSON.parse(status.stdout) as { partitions: { name: string; status: string; events: number }[] };
    expect(plan.partitions.filter((p) => p.name.startsWith('audit_event_y2019m0')).map((p) => [p.name, p.status, p.events]).slice(1, 3)).toEqual([
      ['audit_event_y2019m03', 'due', 6],
      ['audit_event_y2019m04', 'held', 4],
    ]);

    const applied = await runCli(['audit', 'retention', 'apply'], env);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('dropped audit_event_y2019m03: 6 events; the log is retained from 6');
    expect(applied.stdout).toContain(`kept audit_event_y2019m04: under legal hold ${holdId}`);

    const verified = await runCli(['audit', 'verify', '--json'], env);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, retainedFrom: 6, retentionDrops: 1 });
    const strict = await runCli(['audit', 'verify', '--min-retention-months', '240'], env);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('[RETENTION_TOO_EARLY]');

    const released = await runCli(['audit', 'hold', 'release', holdId, '--reason', 'Matter closed'], env);
    expect(released.stdout).toContain('released');
    expect((await runCli(['audit', 'retention', 'apply'], env)).stdout).toContain('dropped audit_event_y2019m04: 4 events; the log is retained from 10');
    expect(JSON.parse((await runCli(['audit', 'verify', '--json'], env)).stdout)).toMatchObject({ ok: true, retainedFrom: 10, retentionDrops: 2 });
  });

  it('answers a wrong hold id or a missing reason with one line, not a stack trace', async () => {
    const unknown = await runCli(['audit', 'hold', 'release', '0190b3a4-0000-7000-8000-000000000001', '--reason', 'x'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[AUDIT_HOLD_NOT_FOUND]');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const empty = await runCli(['audit', 'hold', 'set', '--reason', ' '], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('[AUDIT_HOLD_INVALID]');
  });
});
