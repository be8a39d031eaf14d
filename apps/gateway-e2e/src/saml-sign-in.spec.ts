import {
  samlCertificatePath,
  SAML_TEST_IDP_ENTITY_ID,
  SAML_TEST_IDP_SSO_URL,
  TestSamlIdp,
  type SamlResponseOptions,
} from '../../../libs/identity/test/test-saml-idp';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const PUBLIC_URL = 'https://attest.test';

/**
 * Portal sign-in with a real SAML 2.0 IdP (samlify in IdP mode, in-process) against the whole gateway over HTTP: the
 * AuthnRequest redirect, the IdP's form post to the ACS, the session cookie, /auth/me, and refusals in the gateway's
 * error shape with their reasons in the real audit log.
 */
describe('SAML portal sign-in', () => {
  let gateway: E2eGateway;
  const idp = new TestSamlIdp();

  beforeAll(async () => {
    gateway = await startE2eGateway({
      ATTEST_PUBLIC_URL: PUBLIC_URL,
      ATTEST_SAML_IDP_ENTRY_POINT: SAML_TEST_IDP_SSO_URL,
      ATTEST_SAML_IDP_ISSUER: SAML_TEST_IDP_ENTITY_ID,
      ATTEST_SAML_IDP_CERT: samlCertificatePath('idp'),
      ATTEST_ROLE_MAPPING: JSON.stringify([
        { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
        { claim: 'groups', equals: 'developers', roles: ['developer'] },
      ]),
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  function cookie(response: Response, name: string): string | undefined {
    const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith(`${name}=`));
    return line?.split(';')[0]?.slice(name.length + 1);
  }

  const metadata = async (): Promise<string> => (await fetch(`${gateway.url}/auth/saml/metadata`)).text();

  /** What a browser does: /auth/saml/login → the IdP → the IdP's auto-submitting form back to the ACS. */
  async function signIn(overrides: Partial<SamlResponseOptions> = {}): Promise<{ acs: Response; repost: () => Promise<Response> }> {
    const start = await fetch(`${gateway.url}/auth/saml/login?returnTo=/portal/audit`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const browser = cookie(start, '__Host-attest_saml');
    const request = await idp.receive(start.headers.get('location')!, await metadata());
    const samlResponse = await idp.respond({ user: 'alice', inResponseTo: request.id, spMetadata: await metadata(), ...overrides });
    const repost = () =>
      fetch(`${gateway.url}/auth/saml/acs`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-attest_saml=${browser}` },
        body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: request.relayState ?? '' }),
      });
    return { acs: await repost(), repost };
  }

  async function lastFailure(): Promise<unknown> {
    const [row] = await gateway.db.dataSource.query<{ doc: unknown }[]>(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'authentication.failed' ORDER BY seq DESC LIMIT 1`,
    );
    return row?.doc;
  }

  it('signs the user in with the mapped roles behind the HttpOnly session cookie', async () => {
    const { acs } = await signIn();
    expect(acs.status).toBe(303);
    expect(acs.headers.get('location')).toBe('/portal/audit');
    const session = cookie(acs, '__Host-attest_session');
    const me = await fetch(`${gateway.url}/auth/me`, { headers: { cookie: `__Host-attest_session=${session}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ kind: 'user', displayName: 'Alice Admin', roles: ['admin'], authMethod: 'session' });
    const [event] = await gateway.db.dataSource.query<{ doc: unknown }[]>(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'session.created' ORDER BY seq DESC LIMIT 1`,
    );
    expect(event?.doc).toMatchObject({ outcome: 'success', actor: { authMethod: 'session' }, details: { roles: ['admin'], method: 'saml' } });
  });

  it('refuses the same SAMLResponse posted again, with a clear error and an audit event', async () => {
    const { acs, repost } = await signIn({ user: 'bob' });
    expect(acs.status).toBe(303);
    const replay = await repost();
    expect(replay.status).toBe(400);
    const body = (await replay.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'LOGIN_FAILED', message: expect.stringContaining('already used') });
    expect(JSON.stringify(body)).not.toMatch(/b2e1d3c5|developers|\bat \w+ \(/);
    expect(cookie(replay, '__Host-attest_session')).toBeUndefined();
    expect(await lastFailure()).toMatchObject({ outcome: 'denied', actor: { authMethod: 'saml' }, details: { code: 'LOGIN_FAILED', reason: 'assertion_replayed' } });
  });

  it('refuses an assertion signed with the wrong key', async () => {
    const impostor = new TestSamlIdp('other-idp');
    const start = await fetch(`${gateway.url}/auth/saml/login`, { redirect: 'manual' });
    const request = await impostor.receive(start.headers.get('location')!, await metadata());
    const forged = await impostor.respond({ user: 'alice', inResponseTo: request.id, spMetadata: await metadata() });
    const acs = await fetch(`${gateway.url}/auth/saml/acs`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-attest_saml=${cookie(start, '__Host-attest_saml')}` },
      body: new URLSearchParams({ SAMLResponse: forged }),
    });
    expect(acs.status).toBe(400);
    expect(((await acs.json()) as { error: { code: string } }).error.code).toBe('LOGIN_FAILED');
    expect(await lastFailure()).toMatchObject({ details: { code: 'LOGIN_FAILED', reason: 'signature_invalid' } });
  });

  it('denies a user whose groups match no role rule', async () => {
    const { acs } = await signIn({ user: 'eve' });
    expect(acs.status).toBe(403);
    expect(((await acs.json()) as { error: { code: string } }).error.code).toBe('NO_ROLE_MAPPED');
    expect(await lastFailure()).toMatchObject({ details: { code: 'NO_ROLE_MAPPED', reason: 'no_role_mapped' } });
  });
});
