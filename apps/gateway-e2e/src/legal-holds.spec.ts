import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

// Legal holds and retention over the admin API: who may do what is the policy bundle's decision, every act is an
// audit event, and the database's own drop function refuses what the API would too.
describe('legal holds and retention over the admin API', () => {
  let gateway: E2eGateway;
  let auditorKey: string;
  let developerKey: string;

  async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> & { error?: { code?: string; message?: string } } }> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    gateway = await startE2eGateway();
    auditorKey = await gateway.issueKey({ name: 'legal-auditor', roles: ['auditor'], holder: 'person' });
    developerKey = await gateway.issueKey({ name: 'dev', roles: ['developer'], holder: 'person' });
  });
  afterAll(() => gateway.close());

  it('lets an admin place and release a hold that auditors see but cannot change, each act on record', async () => {
    expect((await call('POST', '/api/audit/legal-holds', auditorKey, { reason: 'Matter 2026-117' })).status).toBe(403);
    const placed = await call('POST', '/api/audit/legal-holds', gateway.adminKey, { reason: 'Matter 2026-117', coversFrom: '2026-01-01T00:00:00Z' });
    expect(placed.status).toBe(201);
    const holdId = placed.body['id'] as string;
    expect(placed.body).toMatchObject({ reason: 'Matter 2026-117', coversFrom: '2026-01-01T00:00:00.000Z', coversTo: null, release: null });

    const byAuditor = await call('POST', `/api/audit/legal-holds/${holdId}/release`, auditorKey, { reason: 'done' });
    expect(byAuditor.status).toBe(403);
    const released = await call('POST', `/api/audit/legal-holds/${holdId}/release`, gateway.adminKey, { reason: 'Matter closed' });
    expect(released.status).toBe(200);
    expect(released.body['release']).toMatchObject({ reason: 'Matter closed' });
    const again = await call('POST', `/api/audit/legal-holds/${holdId}/release`, gateway.adminKey, { reason: 'Matter closed' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'AUDIT_HOLD_RELEASED' } } });

    const events: { action: string; details: Record<string, unknown> }[] = await gateway.db.dataSource.query(
      `SELECT action, convert_from(canonical, 'UTF8')::jsonb -> 'details' AS details FROM audit_event WHERE action LIKE 'audit.legal_hold%' ORDER BY seq`,
    );
    expect(events).toEqual([
      { action: 'audit.legal_hold_set', details: { holdId, coversFrom: '2026-01-01T00:00:00.000Z', reason: 'Matter 2026-117' } },
      { action: 'audit.legal_hold_released', details: { holdId, reason: 'Matter closed' } },
    ]);
    const listed = await fetch(`${gateway.url}/api/audit/legal-holds`, { headers: { authorization: `Bearer ${auditorKey}` } });
    expect(((await listed.json()) as unknown[]).length).toBe(1);
  });

  it('refuses a developer, a malformed hold and an unknown hold with the documented error shape', async () => {
    expect((await call('POST', '/api/audit/legal-holds', developerKey, { reason: 'x' })).status).toBe(403);
    const noReason = await call('POST', '/api/audit/legal-holds', gateway.adminKey, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error?.message).toContain('reason');
    expect((await call('POST', '/api/audit/legal-holds', gateway.adminKey, { reason: 'x', coversFrom: 'yesterday' })).status).toBe(400);
    const reversed = await call('POST', '/api/audit/legal-holds', gateway.adminKey, { reason: 'x', coversFrom: '2026-02-01T00:00:00Z', coversTo: '2026-01-01T00:00:00Z' });
    expect(reversed).toMatchObject({ status: 400, body: { error: { code: 'AUDIT_HOLD_INVALID' } } });
    const unknown = await call('POST', '/api/audit/legal-holds/not-a-hold/release', gateway.adminKey, { reason: 'x' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'AUDIT_HOLD_NOT_FOUND' } } });
    expect(JSON.stringify(unknown.body)).not.toMatch(/\n\s+at /);
  });

  it('shows the monthly partitions to an auditor; only an admin applies retention, and nothing young is dropped', async () => {
    const plan = await call('GET', '/api/audit/retention', auditorKey);
    expect(plan.status).toBe(200);
    expect(plan.body['retentionMonths']).toBe(72);
    const partitions = plan.body['partitions'] as { name: string; status: string }[];
    expect(partitions.some((p) => p.status === 'current' && /^audit_event_y\d{4}m\d{2}$/.test(p.name))).toBe(true);
    expect(partitions.some((p) => p.status === 'default')).toBe(true);

    expect((await call('POST', '/api/audit/retention/apply', auditorKey)).status).toBe(403);
    const run = await call('POST', '/api/audit/retention/apply', gateway.adminKey);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ dropped: [] });
  });
});
