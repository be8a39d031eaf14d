import { findFreePort } from '@attest/db';
import { TEST_AUDIENCE, TestIdp } from '../../../libs/identity/test/test-idp';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const SCIM_TOKEN = 'scim-token-people-0123456789abcdef0123456789';
const RULES = [
  { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
  { claim: 'groups', equals: 'developers', roles: ['developer'] },
  { claim: 'groups', equals: 'attest-auditors', roles: ['auditor'] },
  { claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] },
];

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

function cookieFrom(headers: Headers, name: string): string | undefined {
  const line = headers.getSetCookie().find((candidate) => candidate.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

/**
 * The people page's API (`/api/admin/principals`, `/groups`, `/role-mapping`, its preview and the SSO test login)
 * against the whole gateway on PostgreSQL, with SCIM provisioning and the in-process OpenID provider.
 */
describe('people and role-mapping API', () => {
  let idp: TestIdp;
  let sut: PortalTestApp;
  let publicUrl: string;
  const keys: Record<'admin' | 'auditor' | 'developer', string> = { admin: '', auditor: '', developer: '' };

  async function call(method: string, path: string, credential: { key?: string; cookie?: string }, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = credential.key ? { authorization: `Bearer ${credential.key}` } : { cookie: credential.cookie ?? '', 'x-attest-request': 'portal' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${sut.url}${path}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }

  const scim = (method: string, path: string, body: unknown) =>
    fetch(`${sut.url}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as { id: string } }),
    );

  /** A portal session through the real OIDC login (code + PKCE), as a browser gets it. */
  async function ssoSession(user: string): Promise<string> {
    idp.nextUser = user;
    idp.newBrowser();
    const start = await fetch(`${sut.url}/auth/login`, { redirect: 'manual' });
    const loginState = cookieFrom(start.headers, '__Host-attest_login')!;
    const callbackUrl = await idp.browse(start.headers.get('location')!, `${publicUrl}/auth/callback`);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `__Host-attest_login=${loginState}` } });
    expect(callback.status).toBe(302);
    return `__Host-attest_session=${cookieFrom(callback.headers, '__Host-attest_session')!}`;
  }

  async function auditEvents(action: string): Promise<Record<string, unknown>[]> {
    const rows: { doc: Record<string, unknown> }[] = await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = $1 ORDER BY seq`,
      [action],
    );
    return rows.map((row) => row.doc);
  }

  beforeAll(async () => {
    const port = await findFreePort();
    publicUrl = `http://127.0.0.1:${port}`;
    idp = await TestIdp.start(publicUrl);
    sut = await startPortalTestApp({
      port,
      env: {
        ATTEST_OIDC_ISSUER: idp.issuer,
        ATTEST_OIDC_AUDIENCE: TEST_AUDIENCE,
        ATTEST_OIDC_CLIENT_ID: idp.portalClient.clientId,
        ATTEST_OIDC_CLIENT_SECRET: idp.portalClient.clientSecret,
        ATTEST_OIDC_ALLOW_INSECURE_HTTP: 'true',
        ATTEST_PUBLIC_URL: publicUrl,
        ATTEST_ROLE_MAPPING: JSON.stringify(RULES),
        ATTEST_SCIM_TOKEN: SCIM_TOKEN,
        ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
        // Every test signs in several times from 127.0.0.1.
        ATTEST_SIGN_IN_RATE_LIMIT: '1000',
      },
    });
    for (const role of ['admin', 'auditor', 'developer'] as const) keys[role] = await sut.issueKey({ name: `people-${role}`, roles: [role], holder: 'person' });
  });
  afterAll(async () => {
    await sut?.close();
    await idp?.close();
  });

  it('refuses every people route to auditors and developers, and lets admins in', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/principals'],
      ['GET', '/api/admin/groups'],
      ['GET', '/api/admin/role-mapping'],
      ['POST', '/api/admin/role-mapping/preview', { claims: { iss: 'https://idp', sub: 'x' } }],
      ['POST', '/api/admin/role-mapping/test-login', {}],
      ['GET', '/api/admin/role-mapping/test-login/abc'],
    ];
    for (const [method, path, body] of routes) {
      for (const role of ['auditor', 'developer'] as const) expect([path, role, (await call(method, path, { key: keys[role] }, body)).status]).toEqual([path, role, 403]);
      expect([path, (await call(method, path, {}, body)).status]).toEqual([path, 401]);
    }
    expect((await call('GET', '/api/admin/principals', { key: keys.admin })).status).toBe(200);
  });

  it('lists principals made by issuing keys and by SCIM, searchable and keyset-paged', async () => {
    for (const name of ['pager-a', 'pager-b', 'pager-c', 'pager-d', 'pager-e']) await sut.issueKey({ name, roles: ['developer'] });
    const user = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dora@acme.example', externalId: 'dora-1', displayName: 'Dora Provisioned', active: true });
    expect(user.status).toBe(201);
    expect((await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'attest-auditors', members: [{ value: user.body.id }] })).status).toBe(201);

    const found = await call('GET', '/api/admin/principals?q=dora', { key: keys.admin });
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.body['principals']).toEqual([
      expect.objectContaining({ displayName: 'Dora Provisioned', kind: 'user', source: 'scim', issuer: null, status: 'active', scimUserName: 'dora@acme.example', scimGroups: ['attest-auditors'], roles: ['auditor'], lastSeenAt: null }),
    ]);
    const holder = (await call('GET', '/api/admin/principals?q=people-admin', { key: keys.admin })).body['principals'] as Record<string, unknown>[];
    expect(holder).toEqual([expect.objectContaining({ kind: 'user', source: 'local', roles: ['admin'], activeKeys: 1, lastSeenAt: expect.any(String) })]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await call('GET', `/api/admin/principals?q=pager-&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: keys.admin });
      expect(page.status).toBe(200);
      const principals = page.body['principals'] as { displayName: string; kind: string; source: string }[];
      expect(principals.length).toBeLessThanOrEqual(2);
      seen.push(...principals.map((principal) => `${principal.displayName}/${principal.kind}/${principal.source}`));
      cursor = page.body['nextCursor'] as string | null;
    } while (cursor);
    expect(seen).toEqual(['pager-a', 'pager-b', 'pager-c', 'pager-d', 'pager-e'].map((name) => `${name}/service/api_key`));
    expect((await call('GET', '/api/admin/principals?cursor=bm90LWEtY3Vyc29y', { key: keys.admin })).status).toBe(400);
    expect((await call('GET', '/api/admin/principals?limit=500', { key: keys.admin })).status).toBe(400);
  });

  it('lists SCIM groups with member counts and the roles the mapping gives them', async () => {
    const groups = await call('GET', '/api/admin/groups', { key: keys.admin });
    expect(groups.status).toBe(200);
    expect(groups.body).toMatchObject({ scimConfigured: true, truncated: false });
    expect(groups.body['scimGroups']).toEqual([expect.objectContaining({ displayName: 'attest-auditors', members: 1, activeMembers: 1, roles: ['auditor'] })]);
    expect(groups.body['seenGroups']).toEqual(expect.arrayContaining([{ name: 'attest-auditors', principals: 1, roles: ['auditor'] }]));
  });

  it('shows the configured rules and which IdP features are on', async () => {
    const mapping = await call('GET', '/api/admin/role-mapping', { key: keys.admin });
    expect(mapping.body).toEqual({
      rules: RULES.map((rule, index) => ({ index, ...rule })),
      configuredBy: 'ATTEST_ROLE_MAPPING',
      groupsClaim: 'groups',
      scimLinkClaim: 'sub',
      samlGroupsAttributes: ['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'groups'],
      oidcIssuer: idp.issuer,
      features: { oidcLogin: true, oidcBearerTokens: true, saml: false, scim: true },
      testLogin: true,
    });
  });

  it('previews the mapping as the sign-in does it: Keycloak paths, Okta groups, Entra overage and app roles', async () => {
    const preview = async (claims: Record<string, unknown>) => (await call('POST', '/api/admin/role-mapping/preview', { key: keys.admin }, { claims })).body;
    const person = { iss: 'https://idp.example', sub: 'u-1' };
    expect(await preview({ ...person, groups: ['/attest/admins'] })).toMatchObject({ outcome: 'signed_in', roles: ['admin'], matchedRules: [{ index: 0, claim: 'groups', equals: 'attest/admins' }] });
    expect(await preview({ iss: 'https://acme.okta.com', sub: '00u1', groups: ['Everyone', 'developers'] })).toMatchObject({ outcome: 'signed_in', roles: ['developer'] });
    const overage = { ...person, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/' } } };
    expect(await preview(overage)).toMatchObject({ outcome: 'refused', groupsOverage: true, roles: [], refusal: { code: 'NO_ROLE_MAPPED', message: expect.stringMatching(/^No rule matched: sign-in refused\..*app roles/) } });
    expect(await preview({ ...overage, roles: ['Attest.Auditor'] })).toMatchObject({ outcome: 'signed_in', roles: ['auditor'], matchedRules: [{ index: 3 }] });
    expect(await preview({ ...person, groups: ['marketing'] })).toMatchObject({ outcome: 'refused', roles: [], matchedRules: [] });
    const invalid = await call('POST', '/api/admin/role-mapping/preview', { key: keys.admin }, { claims: ['not', 'an', 'object'] });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('claims');
  });

  it('runs an SSO test login that opens no session, shows the claims and their roles to the admin, and records it', async () => {
    const admin = await ssoSession('alice');
    const sessionsBefore = await sut.db.dataSource.query(`SELECT count(*)::int AS n FROM auth_session`);
    const started = await call('POST', '/api/admin/role-mapping/test-login', { cookie: admin }, {});
    expect(started.status).toBe(200);
    const authorizationUrl = new URL(String(started.body['authorizationUrl']));
    expect(authorizationUrl.searchParams.get('prompt')).toBe('login');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const testState = cookieFrom(started.headers, '__Host-attest_test_login')!;
    expect(testState).toBe(authorizationUrl.searchParams.get('state'));

    idp.nextUser = 'bob';
    idp.newBrowser();
    const callbackUrl = await idp.browse(authorizationUrl.href, `${publicUrl}/auth/callback`);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `${admin}; __Host-attest_test_login=${testState}` } });
    expect(callback.status).toBe(302);
    const location = new URL(callback.headers.get('location')!, publicUrl);
    expect(location.pathname + location.hash).toBe('/portal/#/people');
    // No session: the callback sets no session cookie, only clears the test-login one; nobody is signed in with it.
    expect(cookieFrom(callback.headers, '__Host-attest_session')).toBeUndefined();
    expect(cookieFrom(callback.headers, '__Host-attest_test_login')).toBe('');
    expect((await fetch(`${sut.url}/auth/me`, { headers: { cookie: callback.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ') } })).status).toBe(401);
    expect(await sut.db.dataSource.query(`SELECT count(*)::int AS n FROM auth_session`)).toEqual(sessionsBefore);
    expect(await sut.db.dataSource.query(`SELECT id FROM principal WHERE display_name = 'Bob Developer'`)).toEqual([]);

    const id = location.searchParams.get('testLogin')!;
    const result = await call('GET', `/api/admin/role-mapping/test-login/${id}`, { cookie: admin });
    expect(result.status).toBe(200);
    expect(result.body['claims']).toMatchObject({ iss: idp.issuer, sub: 'bob', name: 'Bob Developer', groups: ['developers'] });
    expect(result.body['preview']).toMatchObject({ outcome: 'signed_in', kind: 'user', roles: ['developer'], matchedRules: [{ index: 1 }] });
    expect(JSON.stringify(result.body)).not.toMatch(/eyJ[\w-]+\.eyJ/);

    // Only the session that ran it sees it: another admin session, or the admin's key, is told it does not exist.
    expect((await call('GET', `/api/admin/role-mapping/test-login/${id}`, { cookie: await ssoSession('alice') })).status).toBe(404);
    expect((await call('GET', `/api/admin/role-mapping/test-login/${id}`, { key: keys.admin })).body).toMatchObject({ error: { code: 'TEST_LOGIN_NOT_FOUND' } });

    const [event] = await auditEvents('authentication.test_login');
    expect(event).toMatchObject({ outcome: 'success', resource: { type: 'sso_test_login', id }, details: { wouldSignIn: true, roles: ['developer'], matchedRules: [1] } });
    expect(JSON.stringify(event)).not.toMatch(/Bob Developer|"bob"|developers/);

    // The callback works once.
    const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `${admin}; __Host-attest_test_login=${testState}` } });
    expect(replay.status).toBe(400);
  });

  it('shows a test login whose groups map to nothing as a refusal, and refuses to start one without a session', async () => {
    const admin = await ssoSession('alice');
    const started = await call('POST', '/api/admin/role-mapping/test-login', { cookie: admin }, {});
    const testState = cookieFrom(started.headers, '__Host-attest_test_login')!;
    idp.nextUser = 'eve';
    idp.newBrowser();
    const callbackUrl = await idp.browse(String(started.body['authorizationUrl']), `${publicUrl}/auth/callback`);
    // Another browser (no admin session) cannot finish it.
    expect((await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `__Host-attest_test_login=${testState}` } })).status).toBe(401);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `${admin}; __Host-attest_test_login=${testState}` } });
    const id = new URL(callback.headers.get('location')!, publicUrl).searchParams.get('testLogin')!;
    const result = await call('GET', `/api/admin/role-mapping/test-login/${id}`, { cookie: admin });
    expect(result.body['preview']).toMatchObject({ outcome: 'refused', roles: [], refusal: { code: 'NO_ROLE_MAPPED' } });
    expect((await auditEvents('authentication.test_login')).at(-1)).toMatchObject({ details: { wouldSignIn: false, roles: [], refusal: 'NO_ROLE_MAPPED' } });

    const byKey = await call('POST', '/api/admin/role-mapping/test-login', { key: keys.admin }, {});
    expect(byKey).toMatchObject({ status: 400, body: { error: { code: 'SESSION_REQUIRED' } } });
  });
});
