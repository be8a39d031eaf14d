import { AuditWriter } from '@attest/audit/nest';
import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { DashboardService } from '../../gateway/src/admin/dashboard.service';
import { appendDatedEvents, inferenceEvents } from './support/audit-seed';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const at = (iso: string) => new Date(iso);

describe(DashboardService.name, () => {
  let db: TestDatabase;
  let writer: AuditWriter;
  let sut: DashboardService;
  const actors: Record<'alice' | 'bob' | 'carol', AuditActor> = {} as never;
  const viewer: AuditActor = { principalId: 'dashboard-viewer', kind: 'user', tenant: 'default', authMethod: 'session' };

  async function principal(name: string, groups: string[]): Promise<AuditActor> {
    const [row] = (await db.dataSource.query(`INSERT INTO principal (tenant_id, kind, subject, display_name, groups) VALUES ('default', 'user', $1, $2, $3) RETURNING id`, [
      `spec:${name}`,
      name,
      groups,
    ])) as { id: string }[];
    return { principalId: row!.id, kind: 'user', tenant: 'default', authMethod: 'api_key' };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    writer = new AuditWriter(db.dataSource, { payloadMode: 'hash', batchMax: 16, flushDelayMs: 0, maxQueue: 100, writerId: 'spec' });
    sut = new DashboardService(db.dataSource, writer);
    actors.alice = await principal('alice', ['legal', 'finance']);
    actors.bob = await principal('bob', []);
    // Carol's event records her team itself: that, not today's groups, is what counts.
    actors.carol = { ...(await principal('carol', ['legal'])), teams: ['ops'] } as AuditActor;
    const otherTenant: AuditActor = { principalId: 'x', kind: 'user', tenant: 'acme', authMethod: 'api_key' };
    await appendDatedEvents(db.dataSource, [
      // The day before the period: left out.
      ...inferenceEvents({ at: at('2026-06-12T23:59:58Z'), actor: actors.alice, requestId: 'before', usage: { promptTokens: 1000, completionTokens: 1000 } }),
      ...inferenceEvents({
        at: at('2026-06-13T08:00:00Z'),
        actor: actors.alice,
        requestId: 'a1',
        model: 'm1',
        usage: { promptTokens: 10, completionTokens: 20 },
        latencyMs: 100,
        pii: { EMAIL_ADDRESS: 1 },
        outputPii: { PERSON: 2 },
      }),
      ...inferenceEvents({ at: at('2026-06-13T09:00:00Z'), actor: actors.bob, requestId: 'b1', model: 'm2', decision: 'deny', pii: { US_SSN: 1 } }),
      ...inferenceEvents({ at: at('2026-06-15T10:00:00Z'), actor: actors.alice, requestId: 'a2', model: 'm1', usage: { promptTokens: 5, completionTokens: 7 }, latencyMs: 300 }),
      ...inferenceEvents({ at: at('2026-06-15T10:30:00Z'), actor: actors.carol, requestId: 'c1', model: 'm2', usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 200 }),
      // Not inference, another tenant, after the period: none of them counts.
      { at: at('2026-06-15T11:00:00Z'), draft: { action: 'api_key.created', outcome: 'success', actor: actors.alice, tenant: 'default', resource: { type: 'api_key', name: 'k' } } },
      ...inferenceEvents({ at: at('2026-06-15T11:00:00Z'), actor: otherTenant, requestId: 'x1', usage: { promptTokens: 500, completionTokens: 500 } }),
      ...inferenceEvents({ at: at('2026-06-16T00:00:01Z'), actor: actors.alice, requestId: 'after', usage: { promptTokens: 700, completionTokens: 700 } }),
    ]);
  });
  afterAll(async () => {
    await writer?.close();
    await db?.drop();
  });

  it('counts each UTC day of the period, zeros included, from the inference events of the tenant', async () => {
    const view = await sut.overview(3, viewer, at('2026-06-15T12:00:00Z'));

    expect(view).toMatchObject({ days: 3, from: '2026-06-13T00:00:00.000Z', to: '2026-06-16T00:00:00.000Z' });
    expect(view.daily).toEqual([
      {
        day: '2026-06-13',
        requests: 2,
        denials: 1,
        promptTokens: 10,
        completionTokens: 20,
        pii: { EMAIL_ADDRESS: 1, PERSON: 2, US_SSN: 1 },
        piiFindings: 4,
        latency: { p50: 100, p95: 100, p99: 100 },
      },
      { day: '2026-06-14', requests: 0, denials: 0, promptTokens: 0, completionTokens: 0, pii: {}, piiFindings: 0, latency: null },
      { day: '2026-06-15', requests: 2, denials: 0, promptTokens: 6, completionTokens: 8, pii: {}, piiFindings: 0, latency: { p50: 200, p95: 300, p99: 300 } },
    ]);
    expect(view.totals).toEqual({ requests: 4, denials: 1, promptTokens: 16, completionTokens: 28, piiFindings: 4, latency: { p50: 200, p95: 300, p99: 300 } });
    expect(view.piiByType).toEqual([
      { type: 'PERSON', findings: 2 },
      { type: 'EMAIL_ADDRESS', findings: 1 },
      { type: 'US_SSN', findings: 1 },
    ]);
  });

  it('breaks the period down by model and by team (recorded team first, else identity groups)', async () => {
    const view = await sut.overview(3, viewer, at('2026-06-15T12:00:00Z'));

    expect(view.byModel).toEqual([
      { model: 'm1', requests: 2, denials: 0, promptTokens: 15, completionTokens: 27, latency: { p50: 100, p95: 300, p99: 300 } },
      { model: 'm2', requests: 2, denials: 1, promptTokens: 1, completionTokens: 1, latency: { p50: 200, p95: 200, p99: 200 } },
    ]);
    expect(view.byTeam).toEqual([
      { team: 'finance', requests: 2, denials: 0, promptTokens: 15, completionTokens: 27 },
      { team: 'legal', requests: 2, denials: 0, promptTokens: 15, completionTokens: 27 },
      { team: null, requests: 1, denials: 1, promptTokens: 0, completionTokens: 0 },
      { team: 'ops', requests: 1, denials: 0, promptTokens: 1, completionTokens: 1 },
    ]);
  });

  it('answers an empty period with zeros and records the read in the audit log', async () => {
    const view = await sut.overview(2, viewer, at('2026-06-11T12:00:00Z'));
    expect(view.daily.map((day) => day.day)).toEqual(['2026-06-10', '2026-06-11']);
    expect(view.totals).toEqual({ requests: 0, denials: 0, promptTokens: 0, completionTokens: 0, piiFindings: 0, latency: null });
    expect(view.byTeam).toEqual([]);
    expect(view.byModel).toEqual([]);

    const reads = (await db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.dashboard_viewed' ORDER BY seq`,
    )) as { doc: { actor: { principalId: string }; details: { days: number; from: string } } }[];
    expect(reads.at(-1)?.doc).toMatchObject({ actor: { principalId: 'dashboard-viewer' }, details: { days: 2, from: '2026-06-10T00:00:00.000Z' } });
  });
});

describe('GET /api/admin/dashboard', () => {
  let app: PortalTestApp;

  beforeAll(async () => {
    app = await startPortalTestApp();
  });
  afterAll(() => app?.close());

  const get = async (path: string, key: string) => {
    const response = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
  };

  it("shows admins and auditors today's requests over 14 days by default, and records each read", async () => {
    const adminKey = await app.issueKey({ name: 'dash-admin', roles: ['admin'], holder: 'person' });
    const auditorKey = await app.issueKey({ name: 'dash-auditor', roles: ['auditor'], holder: 'person' });
    const actor: AuditActor = { principalId: 'spec-caller', kind: 'user', tenant: 'default', authMethod: 'api_key' };
    const recorder = app.app.get<AuditRecorder>(AUDIT_RECORDER);
    // Recorded in one tick, so the writer commits them together (see audit-search.spec.ts).
    await Promise.all(inferenceEvents({ at: new Date(), actor, requestId: 'today-1', usage: { promptTokens: 3, completionTokens: 4 } }).map(({ draft }) => recorder.record(draft)));

    const answer = await get('/api/admin/dashboard', adminKey);
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toBe('no-store');
    const daily = answer.body['daily'] as { day: string; requests: number; promptTokens: number }[];
    expect(daily).toHaveLength(14);
    expect(daily.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), requests: 1, promptTokens: 3 });
    expect((await get('/api/admin/dashboard?days=90', auditorKey)).status).toBe(200);

    const reads = (await app.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.dashboard_viewed'`)) as { n: number }[];
    expect(reads[0]!.n).toBe(2);
  });

  it('refuses a period outside 1..90 days and a caller without a console role', async () => {
    const adminKey = await app.issueKey({ name: 'dash-admin-2', roles: ['admin'], holder: 'person' });
    const developerKey = await app.issueKey({ name: 'dash-developer', roles: ['developer'], holder: 'person' });
    expect((await get('/api/admin/dashboard?days=0', adminKey)).status).toBe(400);
    expect((await get('/api/admin/dashboard?days=91', adminKey)).status).toBe(400);
    expect((await get('/api/admin/dashboard', developerKey)).status).toBe(403);
  });
});
