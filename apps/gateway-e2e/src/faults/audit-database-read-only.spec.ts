import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Client } from 'pg';
import { AuditLedger } from '../support/audit-ledger';
import { startDedicatedPostgres, type DedicatedPostgres } from '../support/dedicated-postgres';
import { newBootstrapKey, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { LoadDriver, STACK_TRACE } from '../support/load-driver';

jest.setTimeout(180_000);


/** The alert counter's value in a Prometheus scrape of the gateway. */
async function auditCommitFailures(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('attest_audit_commit_failures_total '));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** Runs statements as the superuser of the dedicated server. */
async function asSuperuser(adminUrl: string, statements: string[]): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Issue #11, fault 4: the audit database stops taking writes while the gateway is under load. The fault is the one
 * managed PostgreSQL services apply when storage nearly runs out (Azure Database for PostgreSQL, for one, turns the
 * server read-only): `default_transaction_read_only = on` for the whole server, reloaded into every open session, so
 * every INSERT fails with SQLSTATE 25006 while reads still work. It is lifted the same way, with no session ended. The
 * server is this spec file's own; the run's shared one is never touched.
 */
describe('the audit database turned read-only (disk nearly full) under load', () => {
  let pg: DedicatedPostgres;
  let gateway: GatewayProcess;
  let ledger: AuditLedger;
  let load: LoadDriver;
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-fault-readonly-'));
  const key = newBootstrapKey();
  const concurrency = 3;
  /** Refusals the client had seen, and the alert counter, early in the fault and later in it. */
  const early = { refusals: 0, failures: 0 };
  const late = { refusals: 0, failures: 0 };
  let failuresBefore = 0;
  let probe: { status: number; body: string };
  let readinessWhileReadOnly = 0;
  let readinessAfter = 0;

  beforeAll(async () => {
    pg = await startDedicatedPostgres();
    gateway = await startGatewayProcess({ dataDir, bootstrapKey: key, databaseUrl: pg.url, env: { ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '1000' } });
    const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 60_000 });
    load = new LoadDriver({ client, model: 'stories260k', idPrefix: 'read-only', concurrency, pauseMs: 20 });
    load.phase = 'before';
    load.start();
    await gateway.annotate(load.until(() => load.count((o) => o.phase === 'before' && o.acknowledged) >= 15, 60_000, '15 answers before the fault'));
    failuresBefore = await auditCommitFailures(gateway.url);

    await asSuperuser(pg.adminUrl, ['ALTER SYSTEM SET default_transaction_read_only = on', 'SELECT pg_reload_conf()']);
    load.phase = 'read-only';
    const refusals = () => load.count((o) => o.phase === 'read-only' && o.status === 503);
    await gateway.annotate(load.until(() => refusals() >= 10, 60_000, '10 refusals while read-only'));
    early.refusals = refusals();
    early.failures = await auditCommitFailures(gateway.url);
    await gateway.annotate(load.until(() => refusals() >= 40, 60_000, '40 refusals while read-only'));
    late.refusals = refusals();
    late.failures = await auditCommitFailures(gateway.url);
    probe = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories260k', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4 }),
    }).then(async (response) => ({ status: response.status, body: await response.text() }));

    readinessWhileReadOnly = (await fetch(`${gateway.url}/readyz`)).status;

    // The superuser's own session must leave read-only mode before it may change the setting back.
    await asSuperuser(pg.adminUrl, ['SET default_transaction_read_only = off', 'ALTER SYSTEM RESET default_transaction_read_only', 'SELECT pg_reload_conf()']);
    load.phase = 'after';
    await gateway.annotate(load.until(() => load.count((o) => o.phase === 'after' && o.acknowledged) >= 15, 60_000, '15 answers after writes were possible again'));
    await load.stop();
    readinessAfter = (await fetch(`${gateway.url}/readyz`)).status;
    ledger = await AuditLedger.open(pg.url, dataDir);
  });

  afterAll(async () => {
    await load?.stop();
    await ledger?.close();
    await gateway?.kill('SIGTERM');
    await pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses requests with 503 and a clear code in OpenAI’s error shape while nothing can be written', () => {
    const refused = load.outcomes.filter((o) => o.phase === 'read-only' && !o.acknowledged);
    expect(refused.length).toBeGreaterThanOrEqual(40);
    for (const outcome of refused) {
      // AUDIT_UNAVAILABLE: the refusal could not be recorded either. DB_UNREACHABLE only while sessions pick up the
      // reloaded setting one by one (the quota write already refused, the audit session not yet).
      expect({ id: outcome.requestId, status: outcome.status, type: outcome.error?.type }).toEqual({ id: outcome.requestId, status: 503, type: 'server_error' });
      expect(outcome.error?.code).toMatch(/^(AUDIT_UNAVAILABLE|DB_UNREACHABLE)$/);
      expect(JSON.stringify(outcome.error)).not.toMatch(STACK_TRACE);
    }
    expect(probe.status).toBe(503);
    expect(JSON.parse(probe.body)).toEqual({
      error: { message: 'The audit log cannot record this request right now, so it was refused.', type: 'server_error', param: null, code: 'AUDIT_UNAVAILABLE' },
    });
    expect(probe.body).not.toMatch(STACK_TRACE);
    expect(probe.body).not.toMatch(/read-only transaction|25006|INSERT/i);
  });

  it('reports not ready on /readyz while the database refuses writes, and ready again after', () => {
    expect(readinessWhileReadOnly).toBe(503);
    expect(readinessAfter).toBe(200);
  });

  it('raises the alert metric attest_audit_commit_failures_total with every refusal', () => {
    expect(early.failures).toBeGreaterThan(failuresBefore);
    // Each refusal counted once before it was answered; at most `concurrency` were in flight at a scrape.
    expect(late.failures - early.failures).toBeGreaterThanOrEqual(late.refusals - early.refusals - concurrency);
  });

  it('serves again by itself once writes are possible, without a restart', async () => {
    expect(load.count((o) => o.phase === 'after' && o.acknowledged)).toBeGreaterThanOrEqual(15);
    const exited = await Promise.race([gateway.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))]);
    expect(exited).toBe(false);
    const unexplained = load.outcomes.filter((o) => !o.acknowledged && !(o.status === 503 || (o.stream && o.status === 200 && o.error?.code)));
    expect(unexplained).toEqual([]);
  });

  it('served nothing unaudited, and the chain verifies', async () => {
    const trails = await ledger.trails();
    const acknowledged = load.outcomes.filter((o) => o.acknowledged);
    const missing = acknowledged.filter((o) => trails.get(o.requestId)?.request.join() !== 'success' || trails.get(o.requestId)?.response.join() !== 'success');
    expect(missing).toEqual([]);
    const report = await ledger.verify();
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.size).toBe(await ledger.size());
  });
});
