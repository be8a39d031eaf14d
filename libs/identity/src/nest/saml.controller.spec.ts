import { AUDIT_RECORDER } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { type ArgumentsHost, Catch, type DynamicModule, type ExceptionFilter, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { resetIdentityTables, testConfig } from '../../test/factories';
import { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { samlCertificatePath, SAML_TEST_IDP_ENTITY_ID, SAML_TEST_IDP_SSO_URL, TestSamlIdp, type SamlResponseOptions } from '../../test/test-saml-idp';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import { readSamlCertificates } from '../core/saml/saml.config';
import { IdentityModule } from './identity.module';
import { SamlController } from './saml.controller';
import { createSamlLoginService } from './saml.factory';

const PUBLIC_URL = 'https://attest.test';

@Catch(IdentityError)
class IdentityErrorFilter implements ExceptionFilter {
  catch(error: IdentityError, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(error.httpStatus).send({ code: error.code, message: error.message });
  }
}

@Module({})
class EdgesModule {
  static with(dataSource: DataSource, audit: RecordingAuditRecorder): DynamicModule {
    return {
      module: EdgesModule,
      global: true,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: AUDIT_RECORDER, useValue: audit },
      ],
      exports: [DataSource, AUDIT_RECORDER],
    };
  }
}

function cookieFrom(setCookie: string | string[] | undefined, name: string): string | undefined {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return lines.find((line) => line.startsWith(`${name}=`));
}
const valueOf = (line: string | undefined): string | undefined => line?.split(';')[0]?.split('=')[1];

describe(SamlController.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const audit = new RecordingAuditRecorder();
  const idp = new TestSamlIdp();
  const config = testConfig({
    publicUrl: PUBLIC_URL,
    samlIdpEntryPoint: SAML_TEST_IDP_SSO_URL,
    samlIdpIssuer: SAML_TEST_IDP_ENTITY_ID,
    samlIdpCert: readSamlCertificates(samlCertificatePath('idp')),
    signInRateLimit: 10_000,
    roleMapping: [
      { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
      { claim: 'groups', equals: 'developers', roles: ['developer'] },
    ],
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [EdgesModule.with(db.dataSource, audit), IdentityModule.forRoot({ config })],
      providers: [{ provide: APP_FILTER, useClass: IdentityErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });
  beforeEach(async () => {
    await resetIdentityTables(db.dataSource);
    await db.dataSource.query('DELETE FROM saml_login_request');
    await db.dataSource.query('DELETE FROM saml_consumed_assertion');
    audit.events.length = 0;
  });

  const metadata = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/auth/saml/metadata' })).body;

  /** /auth/saml/login → the IdP reads the AuthnRequest: its id, and the SAML login cookie the browser now holds. */
  async function startLogin(returnTo = '/portal/keys'): Promise<{ requestId: string; browser: string; relayState: string | null }> {
    const start = await app.inject({ method: 'GET', url: `/auth/saml/login?returnTo=${encodeURIComponent(returnTo)}` });
    expect(start.statusCode).toBe(302);
    const received = await idp.receive(start.headers.location as string, await metadata());
    return { requestId: received.id, browser: valueOf(cookieFrom(start.headers['set-cookie'], '__Host-attest_saml'))!, relayState: received.relayState };
  }

  /** The IdP's auto-submitting form, as the browser posts it. */
  function post(samlResponse: string, browser: string | undefined) {
    return app.inject({
      method: 'POST',
      url: '/auth/saml/acs',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(browser ? { cookie: `__Host-attest_saml=${browser}` } : {}) },
      payload: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: '/portal/keys' }).toString(),
    });
  }

  async function loginWith(overrides: Partial<SamlResponseOptions> = {}, signer = idp) {
    const { requestId, browser } = await startLogin();
    const samlResponse = await signer.respond({ user: 'alice', inResponseTo: requestId, spMetadata: await metadata(), ...overrides });
    return { response: await post(samlResponse, browser), samlResponse, browser };
  }

  const me = (session: string) => app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: `__Host-attest_session=${session}` } });
  const sessions = async () => db.dataSource.query<{ issuer: string; idp_session_id: string | null }[]>('SELECT issuer, idp_session_id FROM auth_session');

  it('signs a user in with a signed assertion, ending like the OIDC login: session cookie, mapped roles, audit event', async () => {
    const { requestId, browser, relayState } = await startLogin();
    expect(relayState).toBe('/portal/keys');
    const response = await post(await idp.respond({ user: 'alice', inResponseTo: requestId, spMetadata: await metadata() }), browser);

    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/portal/keys');
    const sessionLine = cookieFrom(response.headers['set-cookie'], '__Host-attest_session');
    expect(sessionLine).toMatch(/^__Host-attest_session=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=28800$/);
    expect(cookieFrom(response.headers['set-cookie'], '__Host-attest_saml')).toMatch(/^__Host-attest_saml=; .*Max-Age=0$/);
    const answer = await me(valueOf(sessionLine)!);
    expect(answer.json()).toMatchObject({ kind: 'user', displayName: 'Alice Admin', roles: ['admin'], groups: ['attest/admins'], authMethod: 'session' });

    const [principal] = await db.dataSource.query<{ subject: string }[]>('SELECT subject FROM principal');
    expect(principal).toEqual({ subject: `saml:${SAML_TEST_IDP_ENTITY_ID}#a1f0c2d4-alice` });
    expect(await sessions()).toEqual([{ issuer: SAML_TEST_IDP_ENTITY_ID, idp_session_id: expect.stringMatching(/^_session-/) }]);
    expect(audit.events).toEqual([expect.objectContaining({ action: 'session.created', outcome: 'success', details: { roles: ['admin'], method: 'saml' } })]);
  });

  it('sets a SameSite=None login cookie, since the IdP returns the browser with a cross-site POST', async () => {
    const start = await app.inject({ method: 'GET', url: '/auth/saml/login' });
    expect(cookieFrom(start.headers['set-cookie'], '__Host-attest_saml')).toMatch(/^__Host-attest_saml=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=None; Max-Age=600$/);
    expect(new URL(start.headers.location as string).searchParams.get('RelayState')).toBe('/');
  });

  it('serves SP metadata for the IdP administrator', async () => {
    const response = await app.inject({ method: 'GET', url: '/auth/saml/metadata' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/samlmetadata+xml; charset=utf-8');
    expect(response.body).toContain(`entityID="${PUBLIC_URL}/auth/saml/metadata"`);
    expect(response.body).toContain(`Location="${PUBLIC_URL}/auth/saml/acs"`);
  });

  it('never redirects off-site after login', async () => {
    const { requestId, browser } = await startLogin('//evil.example/steal');
    const response = await post(await idp.respond({ user: 'bob', inResponseTo: requestId, spMetadata: await metadata() }), browser);
    expect(response.headers.location).toBe('/');
  });

  /** Each refusal: a clear error naming the reason, no session, and one `authentication.failed` event with the reason. */
  async function expectRefused(response: Awaited<ReturnType<typeof post>>, status: number, code: string, reason: string): Promise<void> {
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ code, message: expect.stringContaining(status === 403 ? 'grant no role' : `(${reason})`) });
    expect(response.body).not.toMatch(/alice|a1f0c2d4|attest\/admins|\bat \w+ \(/);
    expect(await sessions()).toEqual([]);
    expect(audit.events.at(-1)).toEqual({
      action: 'authentication.failed',
      outcome: 'denied',
      actor: expect.objectContaining({ principalId: 'anonymous', authMethod: 'saml' }),
      tenant: 'default',
      details: { code, reason },
    });
  }

  it.each([
    ['an unsigned assertion (the response alone signed)', { sign: 'response' as const }, 'signature_invalid'],
    ['an unsigned response', { sign: 'none' as const }, 'signature_invalid'],
    ['an assertion for another audience', { audience: 'https://other-sp.test/metadata' }, 'audience_mismatch'],
    ['an expired assertion', { notOnOrAfter: new Date(Date.now() - 5 * 60_000) }, 'assertion_expired'],
    ['a response to a request never made', { inResponseTo: '_not-a-request-of-ours' }, 'in_response_to_unknown'],
    ['an unsolicited (IdP-initiated) response', { inResponseTo: null }, 'in_response_to_missing'],
  ])('refuses %s', async (_label, overrides, reason) => {
    const { response } = await loginWith(overrides);
    await expectRefused(response, 400, 'LOGIN_FAILED', reason);
  });

  it('refuses an assertion signed with the wrong key', async () => {
    const { response } = await loginWith({}, new TestSamlIdp('other-idp'));
    await expectRefused(response, 400, 'LOGIN_FAILED', 'signature_invalid');
  });

  it('refuses a replayed assertion: the second POST of the same SAMLResponse', async () => {
    const { response, samlResponse, browser } = await loginWith();
    expect(response.statusCode).toBe(303);
    await db.dataSource.query('DELETE FROM auth_session');
    await expectRefused(await post(samlResponse, browser), 400, 'LOGIN_FAILED', 'assertion_replayed');
    const [consumed] = await db.dataSource.query<{ expires_at: Date }[]>('SELECT expires_at FROM saml_consumed_assertion');
    expect(consumed!.expires_at.getTime()).toBeGreaterThan(Date.now());
  });

  it('answers each request once: a second assertion for the same request is refused', async () => {
    const { requestId, browser } = await startLogin();
    const respond = async () => idp.respond({ user: 'bob', inResponseTo: requestId, spMetadata: await metadata() });
    expect((await post(await respond(), browser)).statusCode).toBe(303);
    await db.dataSource.query('DELETE FROM auth_session');
    await expectRefused(await post(await respond(), browser), 400, 'LOGIN_FAILED', 'request_already_used');
  });

  it('refuses a response posted by a browser that did not start the sign-in (login CSRF)', async () => {
    const { requestId } = await startLogin();
    const samlResponse = await idp.respond({ user: 'alice', inResponseTo: requestId, spMetadata: await metadata() });
    await expectRefused(await post(samlResponse, undefined), 400, 'LOGIN_FAILED', 'login_not_started');
    const other = await startLogin();
    await expectRefused(await post(samlResponse, other.browser), 400, 'LOGIN_FAILED', 'in_response_to_unknown');
  });

  it('refuses a user whose groups match no role rule, and opens no session', async () => {
    const { response } = await loginWith({ user: 'eve' });
    await expectRefused(response, 403, 'NO_ROLE_MAPPED', 'no_role_mapped');
  });

  it('refuses a body without a SAMLResponse', async () => {
    const { browser } = await startLogin();
    const response = await app.inject({
      method: 'POST',
      url: '/auth/saml/acs',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-attest_saml=${browser}` },
      payload: 'RelayState=%2F',
    });
    await expectRefused(response, 400, 'LOGIN_FAILED', 'response_malformed');
  });

  it('answers SSO_NOT_CONFIGURED without an IdP, and records nothing', async () => {
    const sut = createSamlLoginService({ dataSource: db.dataSource, audit, config: testConfig() });
    expect(sut.configured).toBe(false);
    await expect(sut.completeLogin('x', 'y')).rejects.toMatchObject({ code: IdentityErrorCode.SsoNotConfigured });
    expect(() => sut.metadata()).toThrow(IdentityError);
    expect(audit.events).toEqual([]);
  });
});
