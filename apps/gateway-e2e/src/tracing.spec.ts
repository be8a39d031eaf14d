import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { type GatewayProcess, newBootstrapKey, startGatewayProcess } from './support/gateway-process';
import { registerRemoteModels } from './support/remote-model-registration';
import { upstream as scripted } from './support/scripted-upstream';

const MARKER = 'zebra-marker-5531';

/** Spans as OpenTelemetry's console exporter prints them: each span's name with the trace id printed before it. */
function spansIn(output: string): { name: string; traceId: string }[] {
  const spans: { name: string; traceId: string }[] = [];
  let traceId = '';
  for (const line of output.split('\n')) {
    const id = /^\s*traceId: '([0-9a-f]{32})'/.exec(line);
    if (id) traceId = id[1] as string;
    const name = /^\s*name: '([^']+)'/.exec(line);
    if (name && traceId) spans.push({ name: name[1] as string, traceId });
  }
  return spans;
}

// Issue #10: one trace per request with a span per governed step, W3C trace context taken from the client and passed
// on to the remote backend, the trace id in the audit events, and no prompt in any span.
describe('OpenTelemetry traces of a governed request', () => {
  let db: TestDatabase;
  let upstream: Server;
  let gateway: GatewayProcess;
  const seen: IncomingHttpHeaders[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-tracing-'));
  const key = newBootstrapKey();

  beforeAll(async () => {
    db = await createTestDatabase();
    const answer = scripted.answers('Once upon a time.');
    upstream = createServer((request, response) => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-model', object: 'model' }] }));
        return;
      }
      let body = '';
      request.on('data', (part: Buffer) => (body += part.toString()));
      request.on('end', () => {
        seen.push(request.headers);
        answer({ stream: (JSON.parse(body || '{}') as { stream?: boolean }).stream === true }, response);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    await registerRemoteModels(db.dataSource, [{ name: 'pool', endpoints: [`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`] }]);
    gateway = await startGatewayProcess({
      dataDir,
      bootstrapKey: key,
      databaseUrl: db.url,
      env: { OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'attest-e2e' },
    });
  });
  afterAll(async () => {
    await gateway?.kill('SIGTERM');
    await new Promise((resolve) => upstream.close(resolve));
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('continues the caller’s trace through every governed step to the backend and into the audit log', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'traced-1', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: `Tell a story about ${MARKER}.` }] }),
    });
    expect(response.status).toBe(200);
    await response.text();

    const deadline = Date.now() + 15_000;
    while (!spansIn(gateway.output()).some((span) => span.name === 'attest.inference') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const ours = spansIn(gateway.output()).filter((span) => span.traceId === traceId).map((span) => span.name);
    for (const step of ['attest.authenticate', 'attest.resolve_model', 'attest.pii_scan', 'attest.policy_decision', 'attest.audit_commit', 'attest.inference', 'attest.output_scan']) expect(ours).toContain(step);
    expect(ours.filter((name) => name === 'attest.audit_commit').length).toBeGreaterThanOrEqual(2);

    expect(seen.at(-1)?.['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    const events: { trace_id: string | null }[] = await db.dataSource.query(`SELECT convert_from(canonical, 'UTF8')::jsonb ->> 'traceId' AS trace_id FROM audit_event WHERE request_id = 'traced-1'`);
    expect(events.map((event) => event.trace_id)).toEqual([traceId, traceId]);
    expect(gateway.output()).not.toContain(MARKER);
  });
});
