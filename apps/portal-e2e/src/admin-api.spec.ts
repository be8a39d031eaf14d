import { parseVerifierKey, verifyBundle } from '@attest/audit';
import { AuditCheckpointer } from '@attest/audit/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { join } from 'node:path';
import { auditJobClient } from './support/audit-jobs';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const BUILTIN_GGUF = join(__dirname, '../../../models/builtin/stories260k-f32-v3.gguf');

interface Answer {
  status: number;
  cacheControl: string | null;
  body: Record<string, unknown>;
}

describe('admin API', () => {
  let sut: PortalTestApp;
  let adminKey: string;

  async function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${sut.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
  }

  async function principalIdOf(key: string): Promise<string> {
    return String((await call('GET', '/auth/me', key)).body['id']);
  }

  beforeAll(async () => {
    ensurePortalBuilt();
    // Checkpoints only when a spec asks for one, so "not yet sealed" is deterministic.
    sut = await startPortalTestApp({ env: { ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' } });
    adminKey = await sut.issueKey({ name: 'api-admin', roles: ['admin'], holder: 'person' });
  });
  afterAll(() => sut.close());

  it('creates a key shown once, lists it masked, rotates it and revokes it', async () => {
    const created = await call('POST', '/api/admin/keys', adminKey, { name: 'ci-runner', roles: ['developer'], models: ['stories260k'], expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.cacheControl).toBe('no-store');
    const key = String(created.body['key']);
    const record = created.body['record'] as { id: string; maskedKey: string };
    expect(key).toMatch(/^atk_/);

    const listed = await call('GET', '/api/admin/keys', adminKey);
    const keys = listed.body['keys'] as { id: string; maskedKey: string; modelScopes: string[] }[];
    expect(keys.find((candidate) => candidate.id === record.id)).toMatchObject({ maskedKey: record.maskedKey, modelScopes: ['stories260k'] });
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const rotated = await call('POST', `/api/admin/keys/${record.id}/rotate`, adminKey, { overlapHours: 0 });
    expect(rotated.status).toBe(200);
    const successor = rotated.body['record'] as { id: string; rotatedFrom: string };
    expect(successor.rotatedFrom).toBe(record.id);

    const revoked = await call('POST', `/api/admin/keys/${successor.id}/revoke`, adminKey, { reason: 'test' });
    expect(revoked.body['status']).toBe('revoked');
    expect((await call('GET', '/auth/me', String(rotated.body['key']))).status).toBe(401);
  });

  it('answers 400 naming the field when a create request is malformed', async () => {
    const answer = await call('POST', '/api/admin/keys', adminKey, { name: 'x', roles: [] });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('roles');
  });

  it('refuses an auditor who tries an admin action', async () => {
    const auditorKey = await sut.issueKey({ name: 'api-auditor', roles: ['auditor'], holder: 'person' });
    const answer = await call('POST', '/api/admin/keys', auditorKey, { name: 'sneaky', roles: ['admin'] });
    expect(answer.status).toBe(403);
    expect((await call('GET', '/api/admin/keys', adminKey)).body['keys']).not.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'sneaky' })]));
  });

  it('lets the policy bundle refuse a service key even with the admin role, and audits the refusal with its policy id', async () => {
    const serviceKey = await sut.issueKey({ name: 'ci-pipeline', roles: ['admin'] });
    const answer = await call('POST', '/api/admin/keys', serviceKey, { name: 'minted-by-ci', roles: ['admin'] });
    expect(answer.status).toBe(403);
    expect(JSON.stringify(answer.body)).toContain('admin.people-only');
    const rows: { doc: { outcome: string; policy: { policyIds: string[] }; details: { adminAction: string } } }[] = await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'admin.denied' ORDER BY seq DESC LIMIT 1`,
    );
    expect(rows[0]?.doc).toMatchObject({ outcome: 'denied', policy: { policyIds: ['admin.people-only'] }, details: { adminAction: 'manage_keys' } });
    expect((await call('GET', '/api/admin/keys', adminKey)).body['keys']).not.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'minted-by-ci' })]));
  });

  it('lists versions with their GGUF metadata and enforces four-eyes on approval', async () => {
    const firstApprover = await sut.issueKey({ name: 'approver-one', roles: ['model-approver'], holder: 'person' });
    const secondApprover = await sut.issueKey({ name: 'approver-two', roles: ['model-approver'], holder: 'person' });
    const registrantId = await principalIdOf(firstApprover);
    await sut.app.get(ModelRegistryService).register(
      { name: 'stories-copy', source: { kind: 'local_gguf', path: BUILTIN_GGUF } },
      { id: registrantId, kind: 'service', tenant: 'default', roles: ['model-approver'], authMethod: 'api_key' },
    );

    const models = await call('GET', '/api/admin/models', secondApprover);
    const versions = models.body['versions'] as { model: string; status: string; gguf: { architecture: string } | null }[];
    expect(versions.find((version) => version.model === 'stories-copy')).toMatchObject({ status: 'draft', gguf: { architecture: 'llama' } });

    const own = await call('POST', '/api/admin/models/stories-copy@1/approve', firstApprover, {});
    // The active Cedar bundle refuses it before the registry's own four-eyes check would.
    expect(own.status).toBe(403);
    expect(JSON.stringify(own.body)).toContain('admin.four-eyes-approval');

    const second = await call('POST', '/api/admin/models/stories-copy@1/approve', secondApprover, { comment: 'card reviewed' });
    expect(second.status).toBe(200);
    expect(second.body['status']).toBe('approved');
  });

  it('points an alias at a 90/10 canary and rolls it back', async () => {
    const registry = sut.app.get(ModelRegistryService);
    const operator = { id: 'cli-operator', kind: 'system', tenant: 'default', roles: ['model-approver'], authMethod: 'cli' } as const;
    await registry.register({ name: 'canary-model', source: { kind: 'local_gguf', path: BUILTIN_GGUF } }, operator);
    await registry.approve({ model: 'canary-model', version: 1 }, { ...operator, id: 'second-operator' });
    const stable = (await registry.listVersions('default')).find((version) => version.status === 'active')!;

    const first = await call('PUT', '/api/admin/models/aliases/chat-default', adminKey, { targets: [{ model: stable.model, version: stable.version, weight: 1 }] });
    expect(first.status).toBe(200);
    const canary = await call('PUT', '/api/admin/models/aliases/chat-default', adminKey, {
      targets: [
        { model: stable.model, version: stable.version, weight: 90 },
        { model: 'canary-model', version: 1, weight: 10 },
      ],
      reason: 'canary',
    });
    expect(canary.body).toMatchObject({ revision: Number(first.body['revision']) + 1, targets: expect.arrayContaining([expect.objectContaining({ model: 'canary-model', weight: 10 })]) });

    const rolledBack = await call('POST', '/api/admin/models/aliases/chat-default/rollback', adminKey, { reason: 'canary too slow' });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body['targets']).toEqual([expect.objectContaining({ model: stable.model, version: stable.version })]);
  });

  it('shows the active policy bundle and dry-runs a request against it', async () => {
    const bundles = await call('GET', '/api/admin/policies', adminKey);
    expect(bundles.body['activeSha256']).toMatch(/^[0-9a-f]{64}$/);

    const versions = (await call('GET', '/api/admin/models', adminKey)).body['versions'] as { model: string; status: string }[];
    const served = versions.find((version) => version.status === 'active');
    const decision = await call('POST', '/api/admin/policies/evaluate', adminKey, { action: 'chat', model: served?.model, roles: ['developer'], groups: [], piiTypes: [] });
    expect(decision.status).toBe(200);
    expect(decision.body).toMatchObject({ decision: expect.stringMatching(/^(allow|deny)$/), bundleSha256: bundles.body['activeSha256'] });
  });

  it('serves the built portal at /portal with a restrictive content security policy', async () => {
    const page = await fetch(`${sut.url}/portal/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const bare = await fetch(`${sut.url}/portal`, { redirect: 'manual' });
    expect([301, 302, 308]).toContain(bare.status);
  });

  it('tells the sign-in page that single sign-on is not configured and an API key works', async () => {
    const answer = await fetch(`${sut.url}/api/admin/sign-in`);
    expect(await answer.json()).toEqual({ sso: false, saml: false, apiKey: true });
  });

  it('shows an auditor one event with its inclusion proof checked, and records that the auditor looked', async () => {
    const auditorKey = await sut.issueKey({ name: 'event-auditor', roles: ['auditor'], holder: 'person' });
    const [row] = (await sut.db.dataSource.query(`SELECT id FROM audit_event WHERE action = 'api_key.created' ORDER BY seq LIMIT 1`)) as { id: string }[];
    await sut.app.get(AuditCheckpointer).checkpoint();

    const answer = await call('GET', `/api/audit/events/${row!.id}`, auditorKey);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ event: { id: row!.id, action: 'api_key.created' }, integrity: { status: 'verified' } });
    const viewed = (await sut.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.event_viewed'`)) as { n: number }[];
    expect(viewed[0]!.n).toBeGreaterThan(0);

    expect((await call('GET', '/api/audit/events/not-a-uuid', auditorKey)).status).toBe(404);
  });

  it('reports an event that no signed checkpoint covers yet as pending', async () => {
    const auditorKey = await sut.issueKey({ name: 'pending-auditor', roles: ['auditor'], holder: 'person' });
    const [row] = (await sut.db.dataSource.query(`SELECT id FROM audit_event WHERE action = 'api_key.created' ORDER BY seq DESC LIMIT 1`)) as { id: string }[];
    const answer = await call('GET', `/api/audit/events/${row!.id}`, auditorKey);
    expect(answer.body).toMatchObject({ event: { id: row!.id }, integrity: { status: 'pending' } });
  });

  it('lists the tenant’s events newest first, filtered, in keyset pages, and records the search', async () => {
    const auditorKey = await sut.issueKey({ name: 'list-auditor', roles: ['auditor'], holder: 'person' });
    for (const name of ['list-a', 'list-b', 'list-c']) await sut.issueKey({ name, roles: ['developer'] });
    type Page = { events: { seq: number; action: string; resource: string }[]; nextBefore: number | null };

    const first = (await call('GET', '/api/audit/events?action=api_key.created&limit=2', auditorKey)).body as unknown as Page;
    expect(first.events.map((event) => event.resource)).toEqual(['api_key list-c', 'api_key list-b']);
    const second = (await call('GET', `/api/audit/events?action=api_key.&limit=2&before=${first.nextBefore}`, auditorKey)).body as unknown as Page;
    expect(second.events[0]!.resource).toBe('api_key list-a');
    expect(Math.max(...second.events.map((event) => event.seq))).toBeLessThan(Math.min(...first.events.map((event) => event.seq)));

    const listed = (await sut.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.events_listed'`)) as { n: number }[];
    expect(listed[0]!.n).toBeGreaterThanOrEqual(2);
    expect((await call('GET', '/api/audit/events?outcome=maybe', auditorKey)).status).toBe(400);
  });

  it('searches by actor, request id and a UTC time range, newest first', async () => {
    const auditorKey = await sut.issueKey({ name: 'search-auditor', roles: ['auditor'], holder: 'person' });
    await sut.issueKey({ name: 'search-target', roles: ['developer'], holder: 'person' });
    type Page = { events: { seq: number; action: string; actorId: string; requestId: string | null; ts: string }[]; nextBefore: number | null };
    const [latest] = (await sut.db.dataSource.query(
      `SELECT actor_id, ts FROM audit_event WHERE action = 'api_key.created' ORDER BY seq DESC LIMIT 1`,
    )) as { actor_id: string; ts: Date }[];

    const byActor = (await call('GET', `/api/audit/events?actor=${encodeURIComponent(latest!.actor_id)}&action=api_key.created`, auditorKey)).body as unknown as Page;
    expect(byActor.events.length).toBeGreaterThan(0);
    expect(byActor.events.every((event) => event.actorId === latest!.actor_id)).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = (await call('GET', `/api/audit/events?from=${encodeURIComponent(future)}`, auditorKey)).body as unknown as Page;
    expect(none.events).toEqual([]);
    const until = new Date(latest!.ts.getTime() + 1).toISOString();
    const since = new Date(latest!.ts.getTime() - 60_000).toISOString();
    const window = (await call('GET', `/api/audit/events?from=${encodeURIComponent(since)}&to=${encodeURIComponent(until)}&action=api_key.created`, auditorKey))
      .body as unknown as Page;
    expect(window.events.every((event) => event.ts >= since && event.ts < until)).toBe(true);
    expect(window.events.length).toBeGreaterThan(0);

    const byRequest = (await call('GET', '/api/audit/events?requestId=no-such-request', auditorKey)).body as unknown as Page;
    expect(byRequest.events).toEqual([]);
    expect((await call('GET', '/api/audit/events?from=yesterday', auditorKey)).status).toBe(400);
  });

  it('verifies the whole log for an auditor', async () => {
    const auditorKey = await sut.issueKey({ name: 'log-auditor', roles: ['auditor'], holder: 'person' });
    const job = await auditJobClient(sut.url).run('/api/audit/verify', auditorKey);
    expect(job).toMatchObject({ kind: 'verify', state: 'done', result: { ok: true } });
    expect(job.result?.['size']).toBeGreaterThan(0);
  });

  it('exports an evidence bundle to an auditor that verifies offline, audits the export, and refuses it to an admin', async () => {
    const auditorKey = await sut.issueKey({ name: 'export-auditor', roles: ['auditor'], holder: 'person' });
    const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const jobs = auditJobClient(sut.url);
    const job = await jobs.run('/api/audit/exports', auditorKey, range);
    expect(job).toMatchObject({ kind: 'export', state: 'done' });
    const response = await jobs.bundle(job.id, auditorKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    const verifierKey = response.headers.get('x-attest-verifier-key') ?? '';
    const bundle = Buffer.from(await response.arrayBuffer());
    const report = verifyBundle(bundle, { trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }] });
    expect(report).toMatchObject({ ok: true });
    expect(Number(response.headers.get('x-attest-bundle-events'))).toBeGreaterThan(0);

    const tampered = Buffer.from(bundle);
    const at = tampered.indexOf(Buffer.from('"action"'));
    tampered[at + 2] = tampered[at + 2] === 0x63 ? 0x64 : 0x63;
    expect(verifyBundle(tampered, { trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }] }).ok).toBe(false);

    const exports: { n: string }[] = await sut.db.dataSource.query(`SELECT count(*)::text AS n FROM audit_event WHERE action = 'audit.exported'`);
    expect(Number(exports[0]?.n)).toBe(1);
    const byAdmin = await call('POST', '/api/audit/exports', adminKey, range);
    expect(byAdmin.status).toBe(403);
    expect((await call('POST', '/api/audit/exports', auditorKey, { from: range.to, to: range.from })).status).toBe(400);
  });
});
