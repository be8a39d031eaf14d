import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { AuditEvidenceService } from './audit-evidence.service';
import { startRig, tempDir } from '../../test/audit-test-kit';

const root = join(__dirname, '..', '..', '..', '..');

interface Acknowledged {
  seq: number;
  leafHash: string;
}

/** Starts a writer process; resolves with what it acknowledged, killing it with SIGKILL after `killAfter` receipts. */
function runWriterProcess(url: string, count: number, concurrency: number, name: string, killAfter?: number): Promise<{ acknowledged: Acknowledged[]; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts/run-ts.cjs'), 'libs/audit/test/concurrent-writer.process.ts', url, String(count), String(concurrency), name], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: Acknowledged[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        acknowledged.push(JSON.parse(line) as Acknowledged);
        if (killAfter !== undefined && acknowledged.length === killAfter) child.kill('SIGKILL');
      }
    });
    child.once('exit', (code, signal) => resolve({ acknowledged, code, signal }));
  });
}

describe('concurrent audit writers in separate processes', () => {
  let db: TestDatabase;
  const dir = tempDir();
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    dir.cleanup();
  });

  it('two processes × 64 writers, one killed mid-stream, leave one dense, verifiable chain holding every acknowledged event', async () => {
    const [steady, killed] = await Promise.all([
      runWriterProcess(db.url, 1500, 64, 'gateway-a'),
      runWriterProcess(db.url, 100_000, 64, 'gateway-b', 700),
    ]);
    expect(steady.code).toBe(0);
    expect(killed.signal).toBe('SIGKILL');

    const rows = await db.dataSource.query<{ seq: string; leaf_hash: Buffer }[]>('SELECT seq, leaf_hash FROM audit_event ORDER BY seq');
    expect(rows.map((row) => Number(row.seq))).toEqual([...Array(rows.length).keys()]);
    const stored = new Map(rows.map((row) => [Number(row.seq), row.leaf_hash.toString('hex')]));
    const lost = [...steady.acknowledged, ...killed.acknowledged].filter((ack) => stored.get(ack.seq) !== ack.leafHash);
    expect(lost).toEqual([]);
    expect(new Set([...steady.acknowledged, ...killed.acknowledged].map((ack) => ack.seq)).size).toBe(steady.acknowledged.length + killed.acknowledged.length);

    const rig = await startRig(db.dataSource, dir.path);
    await rig.checkpointer.checkpoint();
    const report = await new AuditEvidenceService(db.dataSource).verify({ trustedKeys: rig.trustedKeys });
    expect(report).toMatchObject({ ok: true, size: rows.length, sealedSize: rows.length });
  });
});
