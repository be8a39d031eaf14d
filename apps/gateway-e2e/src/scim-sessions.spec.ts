import { TEST_AUDIENCE, TestIdp } from '../../../libs/identity/test/test-idp';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';
import { entra, okta, scimClient } from './support/scim-idp-requests';

const PUBLIC_URL = 'https://attest.test';
const SCIM_TOKEN = 'scim-token-sessions-0123456789abcdef012345';

/**
 * SCIM and portal sign-in together, with a real OpenID provider (oidc-provider) in-process: a provisioned user signs
 * in as the same principal (SCIM externalId = the IdP's `sub`), gets their roles from SCIM groups, and a deactivation
 * ends the live session on its next request.
 */
describe('SCIM-provisioned users and their live sessions', () => {
  let idp: TestIdp;
  let gateway: E2eGateway;
  const scim = () => scimClient(gateway.url, SCIM_TOKEN);

  beforeAll(async () => {
    idp = await TestIdp.start(PUBLIC_URL);
    for (const user of ['carol', 'dave', 'erin', 'frank']) idp.users.set(user, { name: `${user} Example`, groups: [] });
    gateway = await startE2eGateway({
      ATTEST_SCIM_TOKEN: SCIM_TOKEN,
      ATTEST_OIDC_ISSUER: idp.issuer,
      ATTEST_OIDC_AUDIENCE: TEST_AUDIENCE,
      ATTEST_OIDC_CLIENT_ID: idp.portalClient.clientId,
      ATTEST_OIDC_CLIENT_SECRET: idp.portalClient.clientSecret,
      ATTEST_OIDC_ALLOW_INSECURE_HTTP: 'true',
      ATTEST_PUBLIC_URL: PUBLIC_URL,
      ATTEST_ROLE_MAPPING: JSON.stringify([{ claim: 'groups', equals: 'attest-developers', roles: ['developer'] }]),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await idp?.close();
  });

  function cookie(response: Response, name: string): string | undefined {
    const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith(`${name}=`));
    return line?.split(';')[0]?.slice(name.length + 1);
  }

  /** The portal's OIDC code flow as a browser runs it: /auth/login → the IdP → /auth/callback. */
  async function signIn(user: string): Promise<{ status: number; session: string | undefined }> {
    idp.nextUser = user;
    idp.newBrowser();
    const start = await fetch(`${gateway.url}/auth/login?returnTo=/portal`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const loginState = cookie(start, '__Host-attest_login');
    const callbackUrl = await idp.browse(start.headers.get('location')!, `${PUBLIC_URL}/auth/callback`);
    const callback = await fetch(`${gateway.url}${callbackUrl.slice(PUBLIC_URL.length)}`, {
      redirect: 'manual',
      headers: { cookie: `__Host-attest_login=${loginState}` },
    });
    return { status: callback.status, session: cookie(callback, '__Host-attest_session') };
  }

  async function me(session: string): Promise<{ status: number; body: { id?: string; roles?: string[] } }> {
    const response = await fetch(`${gateway.url}/auth/me`, { headers: { cookie: `__Host-attest_session=${session}` } });
    return { status: response.status, body: (await response.json()) as { id?: string; roles?: string[] } };
  }

  async function provision(userName: string, sub: string, create: (userName: string, externalId: string) => object): Promise<{ scimId: string; principalId: string }> {
    const created = await scim()('POST', '/Users', create(userName, sub));
    expect(created.status).toBe(201);
    const scimId = String(created.body['id']);
    const [row] = await gateway.db.dataSource.query(`SELECT principal_id AS "principalId" FROM scim_user WHERE id = $1`, [scimId]);
    return { scimId, principalId: (row as { principalId: string }).principalId };
  }

  let developersGroupId = '';
  async function addToDevelopers(scimId: string): Promise<void> {
    if (!developersGroupId) developersGroupId = String((await scim()('POST', '/Groups', okta.createGroup('attest-developers'))).body['id']);
    expect((await scim()('PATCH', `/Groups/${developersGroupId}`, okta.addMember(scimId, 'member'))).status).toBe(200);
  }

  it('refuses sign-in to a user whose token groups map to no role and who is not provisioned', async () => {
    expect((await signIn('dave')).status).toBe(403);
  });

  it('signs a provisioned user in as the provisioned principal, with the role its SCIM group maps to', async () => {
    const carol = await provision('carol@example.com', 'carol', okta.createUser);
    await addToDevelopers(carol.scimId);
    const { status, session } = await signIn('carol');
    expect(status).toBe(302);
    expect(await me(session!)).toEqual({ status: 200, body: expect.objectContaining({ id: carol.principalId, roles: ['developer'] }) });
    const [row] = await gateway.db.dataSource.query(`SELECT subject FROM principal WHERE id = $1`, [carol.principalId]);
    expect(row).toEqual({ subject: `oidc:${idp.issuer}#carol` });

    // A membership change reaches the live session on its next request.
    await scim()('PATCH', `/Groups/${developersGroupId}`, okta.removeMember(carol.scimId));
    expect((await me(session!)).body.roles).toEqual([]);
  });

  it('ends a live session the moment Okta deactivates the user, and refuses the next sign-in', async () => {
    const erin = await provision('erin@example.com', 'erin', okta.createUser);
    await addToDevelopers(erin.scimId);
    const { session } = await signIn('erin');
    expect((await me(session!)).status).toBe(200);

    expect((await scim()('PATCH', `/Users/${erin.scimId}`, okta.deactivateUser())).body).toMatchObject({ active: false });

    expect((await me(session!)).status).toBe(401);
    const [ended] = await gateway.db.dataSource.query(`SELECT ended_at, end_reason FROM auth_session WHERE principal_id = $1`, [erin.principalId]);
    expect(ended).toEqual({ ended_at: expect.any(Date), end_reason: 'deactivated' });
    const [event] = await gateway.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'principal.deactivated' ORDER BY seq DESC LIMIT 1`,
    );
    expect((event as { doc: unknown }).doc).toMatchObject({ resource: { id: erin.principalId }, details: { endedSessions: 1 }, actor: { principalId: 'scim', authMethod: 'scim_token' } });
    expect((await signIn('erin')).status).toBe(401);
  });

  it('ends a live session when Entra deactivates with "False", for a user who signed in before being provisioned', async () => {
    idp.users.set('frank', { name: 'Frank Example', groups: ['attest-developers'] });
    const first = await signIn('frank');
    expect(first.status).toBe(302);
    const before = await me(first.session!);

    // The sign-in recorded the IdP's user id: provisioning takes that principal over instead of making a second one.
    const frank = await provision('frank@example.com', 'frank', entra.createUser);
    expect(frank.principalId).toBe(before.body.id);
    expect((await scim()('PATCH', `/Users/${frank.scimId}`, entra.setActive('False'))).body).toMatchObject({ active: false });
    expect((await me(first.session!)).status).toBe(401);
  });
});
