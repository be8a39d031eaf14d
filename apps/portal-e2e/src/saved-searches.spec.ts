import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}

/** Saved searches of the auditor console: each person's own, every save and delete in the audit log. */
describe('saved searches', () => {
  let sut: PortalTestApp;
  let annaKey: string;
  let benKey: string;

  async function call(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${sut.url}/api/audit/saved-searches${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
  }

  const names = async (key: string) => ((await call('GET', '', key)).body?.['searches'] as { name: string }[]).map((search) => search.name);

  async function auditEvents(action: string): Promise<{ actor: { principalId: string }; resource: { name: string }; details?: Record<string, unknown> }[]> {
    const rows = (await sut.db.dataSource.query(`SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = $1 ORDER BY seq`, [action])) as {
      doc: { actor: { principalId: string }; resource: { name: string }; details?: Record<string, unknown> };
    }[];
    return rows.map((row) => row.doc);
  }

  async function principalIdOf(key: string): Promise<string> {
    const response = await fetch(`${sut.url}/auth/me`, { headers: { authorization: `Bearer ${key}` } });
    return String(((await response.json()) as { id: string }).id);
  }

  beforeAll(async () => {
    sut = await startPortalTestApp();
    annaKey = await sut.issueKey({ name: 'anna-auditor', roles: ['auditor'], holder: 'person' });
    benKey = await sut.issueKey({ name: 'ben-auditor', roles: ['auditor'], holder: 'person' });
  });
  afterAll(() => sut?.close());

  it('saves a filter under a name, lists it to its owner only, and records the save', async () => {
    const saved = await call('POST', '', annaKey, { name: 'Legal denials', filter: { decision: 'deny', team: 'legal', from: '2026-11-01T00:00:00Z' } });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'Legal denials', filter: { decision: 'deny', team: 'legal', from: '2026-11-01T00:00:00Z' } });

    expect(await names(annaKey)).toEqual(['Legal denials']);
    expect(await names(benKey)).toEqual([]);

    const [event] = await auditEvents('audit.search_saved');
    expect(event).toMatchObject({
      actor: { principalId: await principalIdOf(annaKey) },
      resource: { name: 'Legal denials' },
      details: { replaced: false, filter: { decision: 'deny', team: 'legal', from: '2026-11-01T00:00:00Z' } },
    });
  });

  it("keeps another person's search of the same name apart, and refuses to delete someone else's", async () => {
    expect((await call('POST', '', benKey, { name: 'Legal denials', filter: { piiType: 'US_SSN' } })).status).toBe(201);
    const bensOwn = await call('DELETE', `/${encodeURIComponent('Legal denials')}`, benKey);
    expect(bensOwn.status).toBe(204);
    // Ben deleted his own; Anna's is untouched, and a name Ben never saved does not exist for him.
    expect(await names(annaKey)).toEqual(['Legal denials']);
    expect(await names(benKey)).toEqual([]);
    expect((await call('DELETE', `/${encodeURIComponent('Legal denials')}`, benKey)).status).toBe(404);
    expect(await names(annaKey)).toEqual(['Legal denials']);
    const filters = ((await call('GET', '', annaKey)).body?.['searches'] as { filter: unknown }[]).map((search) => search.filter);
    expect(filters).toEqual([{ decision: 'deny', team: 'legal', from: '2026-11-01T00:00:00Z' }]);
  });

  it('replaces a search saved again under its name, deletes it, and records both', async () => {
    expect((await call('POST', '', annaKey, { name: 'Legal denials', filter: { decision: 'deny' } })).status).toBe(201);
    const listed = (await call('GET', '', annaKey)).body?.['searches'] as { name: string; filter: unknown }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'Legal denials', filter: { decision: 'deny' } })]);

    expect((await call('DELETE', `/${encodeURIComponent('Legal denials')}`, annaKey)).status).toBe(204);
    expect(await names(annaKey)).toEqual([]);

    const anna = await principalIdOf(annaKey);
    const saves = (await auditEvents('audit.search_saved')).filter((event) => event.actor.principalId === anna);
    expect(saves.map((event) => event.details?.['replaced'])).toEqual([false, true]);
    const deletions = (await auditEvents('audit.search_deleted')).map((event) => [event.actor.principalId === anna, event.resource.name]);
    expect(deletions).toEqual([
      [false, 'Legal denials'],
      [true, 'Legal denials'],
    ]);
  });

  it('refuses a malformed filter or name, and a caller without a console role', async () => {
    expect((await call('POST', '', annaKey, { name: 'bad', filter: { decision: 'maybe' } })).status).toBe(400);
    expect((await call('POST', '', annaKey, { name: '   ', filter: {} })).status).toBe(400);
    expect((await call('POST', '', annaKey, { name: 'x'.repeat(81), filter: {} })).status).toBe(400);
    const developerKey = await sut.issueKey({ name: 'dev', roles: ['developer'], holder: 'person' });
    expect((await call('GET', '', developerKey)).status).toBe(403);
    expect((await call('POST', '', developerKey, { name: 'mine', filter: {} })).status).toBe(403);
    expect(await names(annaKey)).toEqual([]);
  });
});
