import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AuditLedger } from '../support/audit-ledger';
import { newBootstrapKey, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { LoadDriver } from '../support/load-driver';
import { registerRemoteModels } from '../support/remote-model-registration';
import { startScriptedUpstream, upstream, type ScriptedUpstream } from '../support/scripted-upstream';

jest.setTimeout(240_000);

const root = join(__dirname, '..', '..', '..', '..');
const ORPHAN = 'sigkill-orphan';
// Longer than the streaming PII redactor's hold-back window (64 + 24 characters), so part of it reaches the client.
const FIRST_WORDS = 'Once upon a time there was a little fox who lived at the edge of a very old forest. '.repeat(3);

/** `attest audit verify --json`, the operator's command, against the gateway's database and data folder. */
function runAuditVerify(databaseUrl: string, dataDir: string): Promise<{ code: number | null; report: { ok: boolean; size: number; incompleteRequests: { requestIds: string[] } } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/run-ts.cjs'), 'apps/cli/src/main.ts', 'audit', 'verify', '--json'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', TZ: 'UTC', DATABASE_URL: databaseUrl, ATTEST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) });
      } catch {
        reject(new Error(`attest audit verify printed no JSON (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/**
 * Issue #11, fault 2: the gateway process is killed with SIGKILL while it streams an answer and while other requests
 * are in flight, then started again on the same database and data folder.
 */
describe('the gateway killed with SIGKILL mid-stream', () => {
  let db: TestDatabase;
  let fast: ScriptedUpstream;
  let stalling: ScriptedUpstream;
  let first: GatewayProcess;
  let second: GatewayProcess;
  let ledger: AuditLedger;
  let load: LoadDriver;
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-fault-sigkill-'));
  const key = newBootstrapKey();
  const orphan = { firstChunk: '', finished: false, failure: '' };
  let killedBy: NodeJS.Signals | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    fast = await startScriptedUpstream(upstream.answers('Once upon a time.'));
    stalling = await startScriptedUpstream(upstream.stallsAfterFirstChunk(FIRST_WORDS));
    await registerRemoteModels(db.dataSource, [
      { name: 'pool', endpoints: [fast.baseUrl] },
      { name: 'stalling', endpoints: [stalling.baseUrl] },
    ]);
    first = await startGatewayProcess({ dataDir, bootstrapKey: key, databaseUrl: db.url });
    const client = new OpenAI({ apiKey: key, baseURL: `${first.url}/v1`, maxRetries: 0, timeout: 30_000 });
    load = new LoadDriver({ client, model: 'pool', idPrefix: 'sigkill-load', concurrency: 3, pauseMs: 100 });
    load.phase = 'before';
    load.start();
    await first.annotate(load.until(() => load.count((o) => o.acknowledged) >= 30, 60_000, '30 answers before the kill'));

    // The orphan: its request event is committed before the first chunk leaves; its answer never finishes.
    const stream = await client.chat.completions.create(
      { model: 'stalling', messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true },
      { headers: { 'x-request-id': ORPHAN } },
    );
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.finish_reason) orphan.finished = true;
        const text = chunk.choices[0]?.delta.content ?? '';
        if (text && !orphan.firstChunk) {
          orphan.firstChunk = text;
          killedBy = (await first.kill('SIGKILL')).signal;
        }
      }
    } catch (error) {
      orphan.failure = error instanceof Error ? error.name : String(error);
    }
    load.phase = 'down';
    await load.stop();

    second = await startGatewayProcess({ dataDir, bootstrapKey: key, databaseUrl: db.url, port: first.port });
    load.phase = 'after';
    load.start();
    await second.annotate(load.until(() => load.count((o) => o.phase === 'after' && o.acknowledged) >= 10, 60_000, '10 answers after the restart'));
    await load.stop();
    ledger = AuditLedger.over(db.dataSource, dataDir);
  });

  afterAll(async () => {
    await load?.stop();
    await first?.kill('SIGKILL');
    await second?.kill('SIGTERM');
    await Promise.all([fast?.close(), stalling?.close()]);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed the gateway after the client had the first chunk and before the answer finished', () => {
    expect(killedBy).toBe('SIGKILL');
    expect(FIRST_WORDS.startsWith(orphan.firstChunk)).toBe(true);
    expect(orphan.firstChunk.length).toBeGreaterThan(0);
    expect(orphan.finished).toBe(false);
    expect(orphan.failure).not.toBe('');
  });

  it('shows the orphaned request as incomplete after the restart: its request event, no response event', async () => {
    const trail = (await ledger.trails()).get(ORPHAN);
    expect(trail).toEqual({ request: ['success'], response: [] });
    const report = await ledger.verify();
    expect(report.incompleteRequests.requestIds).toContain(ORPHAN);
  });

  it('lost nothing that was acknowledged: every answer a client fully received has both committed events', async () => {
    const trails = await ledger.trails();
    const acknowledged = load.outcomes.filter((o) => o.acknowledged);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    const missing = acknowledged.filter((o) => trails.get(o.requestId)?.request.join() !== 'success' || trails.get(o.requestId)?.response.join() !== 'success');
    expect(missing).toEqual([]);
    // Requests cut by the kill were never acknowledged; they are the only ones that may be incomplete.
    const report = await ledger.verify();
    const acknowledgedIds = new Set(acknowledged.map((o) => o.requestId));
    expect(report.incompleteRequests.requestIds.filter((id) => acknowledgedIds.has(id))).toEqual([]);
  });

  it('serves again after the restart on the same database, and the chain verifies with the operator’s command', async () => {
    expect(load.count((o) => o.phase === 'after' && o.acknowledged)).toBeGreaterThanOrEqual(10);
    const { code, report } = await runAuditVerify(db.url, dataDir);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(report.size).toBe(await ledger.size());
    expect(report.incompleteRequests.requestIds).toContain(ORPHAN);
  });
});
