import { PolicyBundle } from '@attest/policy';
import { PolicyActivationService, PolicyEngineProvider } from '@attest/policy/nest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const POLICIES = join(__dirname, '..', '..', '..', 'policies');
const ADDED_POLICY = '\n@id("review.added-line")\npermit (principal, action == Action::"evaluate_policy", resource is PolicyBundle)\nwhen { principal.roles.contains("auditor") };\n';

interface Answer {
  status: number;
  cacheControl: string | null;
  body: Record<string, unknown> & { error?: { code?: string; message?: string } };
}

interface Sources {
  sha256: string;
  active: boolean;
  signed: boolean;
  files: Record<string, string>;
}

// The portal's policy history shows what changed between bundles: GET /api/admin/policies/:sha256 answers a stored
// bundle's files (or the active folder bundle's), to the readers of the list, and to nobody else.
describe('policy bundle sources over the admin API', () => {
  let gateway: E2eGateway;
  let auditorKey: string;
  let developerKey: string;

  async function call(path: string, key: string): Promise<Answer> {
    const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Answer['body'] };
  }

  beforeAll(async () => {
    gateway = await startE2eGateway();
    auditorKey = await gateway.issueKey({ name: 'policy-auditor', roles: ['auditor'], holder: 'person' });
    developerKey = await gateway.issueKey({ name: 'policy-dev', roles: ['developer'], holder: 'person' });
  });
  afterAll(() => gateway.close());

  it('answers the files of the active folder bundle before any bundle is stored', async () => {
    const listed = await call('/api/admin/policies', gateway.adminKey);
    expect(listed.body['bundles']).toEqual([]);
    const activeSha256 = String(listed.body['activeSha256']);

    const answer = await call(`/api/admin/policies/${activeSha256}`, gateway.adminKey);
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toBe('no-store');
    const sources = answer.body as unknown as Sources;
    expect(sources).toMatchObject({ sha256: activeSha256, active: true, signed: false });
    expect(sources.files['admin.cedar']).toBe(readFileSync(join(POLICIES, 'admin.cedar'), 'utf8'));
    expect(Object.keys(sources.files).every((path) => path.endsWith('.cedar') || path.endsWith('.cedarschema'))).toBe(true);
  });

  it('answers a stored bundle and the active one after activations, with who activated it in the list', async () => {
    const me = await call('/auth/me', gateway.adminKey);
    const actor = { principalId: String(me.body['id']), kind: 'user' as const, tenant: 'default', authMethod: 'api_key' };
    const activation = gateway.app.get(PolicyActivationService);
    const folder = await PolicyBundle.fromDirectory(POLICIES);
    const changed = PolicyBundle.fromFiles({ ...folder.files, 'admin.cedar': `${folder.files['admin.cedar']}${ADDED_POLICY}` });
    await activation.activate(folder, { tenant: 'default', actor });
    await activation.activate(changed, { tenant: 'default', actor });
    await gateway.app.get(PolicyEngineProvider).refresh();

    const listed = await call('/api/admin/policies', auditorKey);
    expect(listed.body['activeSha256']).toBe(changed.sha256);
    const bundles = listed.body['bundles'] as { sha256: string; activatedBy: { id: string; displayName: string } | null }[];
    expect(bundles.map((bundle) => bundle.sha256)).toEqual([changed.sha256, folder.sha256]);
    expect(bundles[0]?.activatedBy).toEqual({ id: actor.principalId, displayName: 'e2e-admin' });

    const older = await call(`/api/admin/policies/${folder.sha256}`, auditorKey);
    expect(older.status).toBe(200);
    expect(older.body).toMatchObject({ sha256: folder.sha256, active: false });
    expect((older.body as unknown as Sources).files['admin.cedar']).not.toContain('review.added-line');
    const active = await call(`/api/admin/policies/${changed.sha256}`, gateway.adminKey);
    expect(active.body).toMatchObject({ sha256: changed.sha256, active: true });
    expect((active.body as unknown as Sources).files['admin.cedar']).toContain('@id("review.added-line")');
  });

  it('refuses a caller below the role floor, a malformed hash and an unknown bundle', async () => {
    const listed = await call('/api/admin/policies', gateway.adminKey);
    expect((await call(`/api/admin/policies/${String(listed.body['activeSha256'])}`, developerKey)).status).toBe(403);
    const malformed = await call('/api/admin/policies/not-a-hash', gateway.adminKey);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.message).toContain('sha256');
    const unknown = await call(`/api/admin/policies/${'0'.repeat(64)}`, gateway.adminKey);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'POLICY_BUNDLE_NOT_FOUND' } } });
  });
});
