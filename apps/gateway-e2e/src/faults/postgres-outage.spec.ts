import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AuditLedger } from '../support/audit-ledger';
import { startDedicatedPostgres, type DedicatedPostgres } from '../support/dedicated-postgres';
import { newBootstrapKey, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { LoadDriver, STACK_TRACE } from '../support/load-driver';

jest.setTimeout(180_000);

/**
 * Issue #11, fault 1: PostgreSQL stops (fast shutdown, every session terminated) under continuous load from the official
 * client, and comes back. The gateway runs as its own process on a PostgreSQL of this spec file alone.
 */
describe('PostgreSQL stopped during load', () => {
  let pg: DedicatedPostgres;
  let gateway: GatewayProcess;
  let ledger: AuditLedger;
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-fault-outage-'));
  const key = newBootstrapKey();
  let load: LoadDriver;
  let refusalDuringOutage: { status: number; contentType: string | null; body: string };
  let readinessDuringOutage: number;
  let refusalsCounted = 0;

  beforeAll(async () => {
    pg = await startDedicatedPostgres();
    gateway = await startGatewayProcess({ dataDir, bootstrapKey: key, databaseUrl: pg.url, env: { ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '1000' } });
    const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 60_000 });
    load = new LoadDriver({ client, model: 'stories260k', idPrefix: 'pg-outage', concurrency: 4, pauseMs: 20 });

    load.phase = 'before';
    load.start();
    await gateway.annotate(load.until(() => load.count((o) => o.phase === 'before' && o.acknowledged) >= 20, 60_000, '20 answers before the outage'));

    await pg.stop();
    load.phase = 'down';
    await gateway.annotate(load.until(() => load.count((o) => o.phase === 'down') >= 40, 30_000, '40 requests while PostgreSQL is down'));
    refusalDuringOutage = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'pg-outage-probe' },
      body: JSON.stringify({ model: 'stories260k', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4 }),
    }).then(async (response) => ({ status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }));
    readinessDuringOutage = (await fetch(`${gateway.url}/readyz`)).status;
    // The alert that fires before any audit commit is tried: refusals by stable code.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    refusalsCounted = metrics
      .split('\n')
      .filter((line) => line.startsWith('attest_server_refusals_total{'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

    await pg.start();
    load.phase = 'after';
    // No restart of the gateway: it must find the database again by itself.
    await gateway.annotate(load.until(() => load.count((o) => o.phase === 'after' && o.acknowledged) >= 20, 60_000, '20 answers after PostgreSQL returned'));
    await load.stop();
    ledger = await AuditLedger.open(pg.url, dataDir);
  });

  afterAll(async () => {
    await load?.stop();
    await ledger?.close();
    await gateway?.kill('SIGTERM');
    await pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses every request while the database is down with 503 in OpenAI’s error shape, never a stack trace', () => {
    const down = load.outcomes.filter((o) => o.phase === 'down' && !o.acknowledged);
    expect(down.length).toBeGreaterThanOrEqual(30);
    // Only a request sent as the server came back may have been served; every other one is refused, and only with 503.
    for (const outcome of down) {
      expect({ id: outcome.requestId, status: outcome.status, type: outcome.error?.type }).toEqual({ id: outcome.requestId, status: 503, type: 'server_error' });
      expect(outcome.error?.code).toMatch(/^(AUDIT_UNAVAILABLE|DB_UNREACHABLE)$/);
      expect(JSON.stringify(outcome.error)).not.toMatch(STACK_TRACE);
    }
    expect(refusalDuringOutage.status).toBe(503);
    expect(refusalDuringOutage.contentType).toContain('application/json');
    expect(JSON.parse(refusalDuringOutage.body)).toEqual({
      error: { message: expect.any(String), type: 'server_error', param: null, code: expect.stringMatching(/^(AUDIT_UNAVAILABLE|DB_UNREACHABLE)$/) },
    });
    expect(refusalDuringOutage.body).not.toMatch(STACK_TRACE);
    expect(readinessDuringOutage).toBe(503);
    expect(refusalsCounted).toBeGreaterThanOrEqual(30);
  });

  it('serves again by itself when the database returns, without a gateway restart', async () => {
    expect(load.count((o) => o.phase === 'after' && o.acknowledged)).toBeGreaterThanOrEqual(20);
    const exited = await Promise.race([gateway.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))]);
    expect(exited).toBe(false);
    // Whatever was not answered was refused in OpenAI's shape: a 503, or (a stream whose response event could not be
    // committed after its first chunks) an error event in place of the finish; never a dropped connection.
    const unexplained = load.outcomes.filter((o) => !o.acknowledged && !(o.status === 503 || (o.stream && o.status === 200 && o.error?.code)));
    expect(unexplained).toEqual([]);
  });

  it('served nothing unaudited: every acknowledged answer has its committed request and response events', async () => {
    const trails = await ledger.trails();
    const acknowledged = load.outcomes.filter((o) => o.acknowledged);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    const missing = acknowledged.filter((o) => {
      const trail = trails.get(o.requestId);
      return trail?.request.join() !== 'success' || trail.response.join() !== 'success';
    });
    expect(missing.map((o) => ({ id: o.requestId, trail: trails.get(o.requestId) }))).toEqual([]);
    // No request was recorded twice (a retried batch must not duplicate events).
    const duplicated = [...trails].filter(([, trail]) => trail.request.length > 1 || trail.response.length > 1);
    expect(duplicated).toEqual([]);
  });

  it('leaves a chain that verifies with no gap or duplicate; only refused requests may lack a response', async () => {
    const report = await ledger.verify();
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.size).toBe(await ledger.size());
    const acknowledged = new Set(load.outcomes.filter((o) => o.acknowledged).map((o) => o.requestId));
    expect(report.incompleteRequests.requestIds.filter((id) => acknowledged.has(id))).toEqual([]);
  });
});
