import { parseVerifierKey, readTar, verifyBundle } from '@attest/audit';
import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { inferenceEvents, type InferenceCall } from './support/audit-seed';
import { auditJobClient } from './support/audit-jobs';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

type Page = { events: { seq: number; action: string; requestId: string | null }[]; nextBefore: number | null };

/** The auditor console's search over the event bytes: team, model and version, policy decision and id, PII type. */
describe('audit event search', () => {
  let sut: PortalTestApp;
  let auditorKey: string;
  let legal: AuditActor;
  let outsider: AuditActor;
  const startedAt = new Date();

  /**
   * Records the calls' events as the request path would, in order. All in one tick: the writer then commits them as one
   * batch (a record() issued just as a batch commits can wait for the next record; see the report on AuditWriter).
   */
  async function record(...calls: Omit<InferenceCall, 'at'>[]): Promise<void> {
    const recorder = sut.app.get<AuditRecorder>(AUDIT_RECORDER);
    const drafts = calls.flatMap((call) => inferenceEvents({ ...call, at: new Date() }).map((event) => event.draft));
    await Promise.all(drafts.map((draft) => recorder.record(draft)));
  }

  async function principal(name: string, groups: string[]): Promise<AuditActor> {
    const [row] = (await sut.db.dataSource.query(`INSERT INTO principal (tenant_id, kind, subject, display_name, groups) VALUES ('default', 'user', $1, $1, $2) RETURNING id`, [
      `spec:${name}`,
      groups,
    ])) as { id: string }[];
    return { principalId: row!.id, kind: 'user', tenant: 'default', authMethod: 'api_key' };
  }

  async function search(query: string): Promise<{ status: number; page: Page }> {
    const response = await fetch(`${sut.url}/api/audit/events?${query}`, { headers: { authorization: `Bearer ${auditorKey}` } });
    return { status: response.status, page: (await response.json()) as Page };
  }

  async function requestIds(query: string): Promise<(string | null)[]> {
    const { status, page } = await search(`action=inference.request&${query}`);
    expect(status).toBe(200);
    return page.events.map((event) => event.requestId);
  }

  beforeAll(async () => {
    sut = await startPortalTestApp();
    auditorKey = await sut.issueKey({ name: 'search-auditor', roles: ['auditor'], holder: 'person' });
    legal = await principal('lena', ['legal']);
    outsider = await principal('otto', []);
    await record(
      { actor: legal, requestId: 'srch-1', model: 'm1', version: '1', policyIds: ['baseline.inference', 'pii.redact-contact-data-for-external-models'], pii: { EMAIL_ADDRESS: 1 } },
      { actor: outsider, requestId: 'srch-2', model: 'm2', version: '2', decision: 'deny', policyIds: ['access.legal-models-legal-team-only'], pii: { US_SSN: 1 } },
    );
  });
  afterAll(() => sut?.close());

  it.each([
    ['team', 'team=legal', ['srch-1']],
    ['model', 'model=m2', ['srch-2']],
    ['model and version', 'model=m1&modelVersion=1', ['srch-1']],
    ['model and another version', 'model=m1&modelVersion=2', []],
    ['version', 'modelVersion=2', ['srch-2']],
    ['policy decision deny', 'decision=deny', ['srch-2']],
    ['policy decision allow', 'decision=allow', ['srch-1']],
    ['policy id', 'policyId=access.legal-models-legal-team-only', ['srch-2']],
    ['PII type', 'piiType=EMAIL_ADDRESS', ['srch-1']],
    ['PII type nobody had', 'piiType=CREDIT_CARD', []],
    ['several filters at once', 'team=legal&decision=deny', []],
  ])('filters by %s', async (_name, query, expected) => {
    expect(await requestIds(query)).toEqual(expected);
  });

  it('records each search with its filters', async () => {
    await requestIds('team=legal&piiType=EMAIL_ADDRESS&model=m1&modelVersion=1&decision=allow&policyId=baseline.inference');
    const [listed] = (await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.events_listed' ORDER BY seq DESC LIMIT 1`,
    )) as { doc: { details: Record<string, unknown> } }[];
    expect(listed?.doc.details).toEqual({
      action: 'inference.request',
      team: 'legal',
      piiType: 'EMAIL_ADDRESS',
      model: 'm1',
      modelVersion: '1',
      decision: 'allow',
      policyId: 'baseline.inference',
      returned: 1,
    });
  });

  it('pages a content filter by log position, newest first, without repeating or losing an event', async () => {
    await record(
      ...[1, 2, 3, 4, 5].flatMap((index) => [
        { actor: outsider, requestId: `page-${index}`, model: 'paged' },
        { actor: outsider, requestId: `noise-${index}`, model: 'other' },
      ]),
    );
    const seen: (string | null)[] = [];
    let query = 'model=paged&limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const { page } = await search(query);
      seen.push(...page.events.map((event) => `${event.action}:${event.requestId}`));
      if (page.nextBefore === null) break;
      query = `model=paged&limit=2&before=${page.nextBefore}`;
    }
    const expected = [5, 4, 3, 2, 1].flatMap((index) => [`inference.response:page-${index}`, `inference.request:page-${index}`]);
    expect(seen).toEqual(expected);
  });

  it('refuses a malformed filter with 400 naming the field', async () => {
    for (const query of ['decision=maybe', 'piiType=not%20a%20type', 'modelVersion=0', 'model=%2Fetc']) {
      const response = await fetch(`${sut.url}/api/audit/events?${query}`, { headers: { authorization: `Bearer ${auditorKey}` } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(query.split('=')[0]);
    }
  });

  it('exports exactly the events the filter selects, in a bundle that verifies, and records the filter with the export', async () => {
    const range = { from: new Date(startedAt.getTime() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const jobs = auditJobClient(sut.url);
    const job = await jobs.run('/api/audit/exports', auditorKey, { ...range, filter: { piiType: 'EMAIL_ADDRESS', team: 'legal' } });
    expect(job).toMatchObject({ state: 'done', result: { matching: 1 } });
    const response = await jobs.bundle(job.id, auditorKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-attest-bundle-matching-events')).toBe('1');
    const bundle = Buffer.from(await response.arrayBuffer());
    expect(verifyBundle(bundle, { trustedKeys: [{ verifier: parseVerifierKey(response.headers.get('x-attest-verifier-key') ?? '') }] })).toMatchObject({ ok: true, eventsChecked: 1 });
    const events = readTar(bundle).find((entry) => entry.name === 'events.jsonl')?.data.toString('utf8').trim().split('\n') ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]).toContain('EMAIL_ADDRESS');

    const [exported] = (await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.exported' ORDER BY seq DESC LIMIT 1`,
    )) as { doc: { details: Record<string, unknown> } }[];
    expect(exported?.doc.details).toMatchObject({ from: range.from, to: range.to, piiType: 'EMAIL_ADDRESS', team: 'legal', matching: 1 });

    const malformed = await fetch(`${sut.url}/api/audit/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auditorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...range, filter: { decision: 'maybe' } }),
    });
    expect(malformed.status).toBe(400);
  });
});
