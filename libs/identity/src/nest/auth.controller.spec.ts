import { AUDIT_RECORDER } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { importEsm } from '@attest/util';
import { type ArgumentsHost, Catch, type DynamicModule, type ExceptionFilter, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { DataSource } from 'typeorm';
import { resetIdentityTables, testConfig } from '../../test/factories';
import { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { TEST_AUDIENCE, TestIdp } from '../../test/test-idp';
import { IdentityError } from '../core/identity.errors';
import { AuthController } from './auth.controller';
import { IdentityModule } from './identity.module';

const PUBLIC_URL = 'https://attest.test';

@Catch(IdentityError)
class IdentityErrorFilter implements ExceptionFilter {
  catch(error: IdentityError, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(error.httpStatus).send({ code: error.code });
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
  const line = lines.find((candidate) => candidate.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

describe(AuthController.name, () => {
  let db: TestDatabase;
  let idp: TestIdp;
  let app: NestFastifyApplication;
  let jose: typeof Jose;
  const audit = new RecordingAuditRecorder();

  beforeAll(async () => {
    jose = await importEsm<typeof Jose>('jose');
    [db, idp] = await Promise.all([createTestDatabase(), TestIdp.start(PUBLIC_URL)]);
    const config = testConfig({
      oidcIssuer: idp.issuer,
      oidcAudience: TEST_AUDIENCE,
      oidcClientId: idp.portalClient.clientId,
      oidcClientSecret: idp.portalClient.clientSecret,
      oidcAllowInsecureHttp: true,
      publicUrl: PUBLIC_URL,
      roleMapping: [
        { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
        { claim: 'groups', equals: 'developers', roles: ['developer'] },
      ],
    });
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
    await idp.close();
    await db.drop();
  });
  beforeEach(async () => {
    await resetIdentityTables(db.dataSource);
    audit.events.length = 0;
  });

  /** /auth/login → IdP (code + PKCE) → the callback URL and the login cookie, as a browser would hold them. */
  async function loginAs(user: string, returnTo = '/portal/keys'): Promise<{ callbackUrl: string; loginState: string; authorizationUrl: URL }> {
    idp.nextUser = user;
    idp.newBrowser();
    const start = await app.inject({ method: 'GET', url: `/auth/login?returnTo=${encodeURIComponent(returnTo)}` });
    expect(start.statusCode).toBe(302);
    const loginState = cookieFrom(start.headers['set-cookie'], '__Host-attest_login')!;
    const authorizationUrl = new URL(start.headers.location as string);
    const callbackUrl = await idp.browse(authorizationUrl.href, `${PUBLIC_URL}/auth/callback`);
    return { callbackUrl, loginState, authorizationUrl };
  }

  async function callback(callbackUrl: string, loginState: string | undefined) {
    return app.inject({
      method: 'GET',
      url: callbackUrl.slice(PUBLIC_URL.length),
      headers: loginState ? { cookie: `__Host-attest_login=${loginState}` } : {},
    });
  }

  async function signIn(user: string): Promise<string> {
    const { callbackUrl, loginState } = await loginAs(user);
    const response = await callback(callbackUrl, loginState);
    expect(response.statusCode).toBe(302);
    return cookieFrom(response.headers['set-cookie'], '__Host-attest_session')!;
  }

  const me = (session: string) => app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: `__Host-attest_session=${session}` } });

  it('signs a user in with code + PKCE and hands the browser only an HttpOnly, Secure, SameSite session cookie', async () => {
    const { callbackUrl, loginState, authorizationUrl } = await loginAs('alice');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('nonce')).toBeTruthy();
    const response = await callback(callbackUrl, loginState);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/portal/keys');
    const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    expect(setCookie[0]).toMatch(/^__Host-attest_session=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=28800$/);
    const session = cookieFrom(setCookie, '__Host-attest_session')!;
    const answer = await me(session);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ kind: 'user', displayName: 'Alice Admin', roles: ['admin'], authMethod: 'session' });
    expect(audit.actions()).toContain('session.created');
    const [stored] = await db.dataSource.query<{ token_hash: string; idp_session_id: string | null }[]>('SELECT token_hash, idp_session_id FROM auth_session');
    expect(stored!.token_hash).not.toContain(session);
    expect(stored!.idp_session_id).toBeTruthy();
  });

  it('refuses a replayed callback and one from a browser that did not start the login', async () => {
    const { callbackUrl, loginState } = await loginAs('bob');
    expect((await callback(callbackUrl, undefined)).statusCode).toBe(400);
    expect((await callback(callbackUrl, loginState)).statusCode).toBe(302);
    expect((await callback(callbackUrl, loginState)).json()).toEqual({ code: 'LOGIN_FAILED' });
  });

  it('refuses a user whose groups grant no role, and opens no session', async () => {
    const { callbackUrl, loginState } = await loginAs('eve');
    const response = await callback(callbackUrl, loginState);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ code: 'NO_ROLE_MAPPED' });
    expect(await db.dataSource.query('SELECT id FROM auth_session')).toEqual([]);
    expect(audit.events.at(-1)).toMatchObject({ action: 'authentication.failed', details: { code: 'NO_ROLE_MAPPED' } });
  });

  it('never redirects off-site after login', async () => {
    const { callbackUrl, loginState } = await loginAs('bob', '//evil.example/steal');
    expect((await callback(callbackUrl, loginState)).headers.location).toBe('/');
  });

  it('logs out here and sends the browser to the IdP’s end-session endpoint', async () => {
    const session = await signIn('bob');
    const response = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: `__Host-attest_session=${session}` } });
    expect(response.statusCode).toBe(303);
    const endSession = new URL(response.headers.location as string);
    expect(endSession.origin).toBe(idp.issuer);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/`);
    expect(cookieFrom(response.headers['set-cookie'], '__Host-attest_session')).toBe('');
    expect((await me(session)).statusCode).toBe(401);
    const idpPage = await fetch(endSession, { redirect: 'manual' });
    expect(idpPage.status).toBe(200);
  });

  it('sends a session another IdP opened (SAML) home on logout, never to this IdP\'s end-session page', async () => {
    const session = await signIn('bob');
    // As the SAML sign-in stores it: the SAML IdP's entity id as the session's issuer.
    await db.dataSource.query(`UPDATE auth_session SET issuer = 'https://saml-idp.example/entity', id_token = NULL`);
    const response = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: `__Host-attest_session=${session}` } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`${PUBLIC_URL}/`);
  });

  it('ends sessions when the IdP sends a back-channel logout token, and refuses a forged one', async () => {
    const session = await signIn('bob');
    const [{ idp_session_id: sid }] = (await db.dataSource.query<{ idp_session_id: string }[]>('SELECT idp_session_id FROM auth_session')) as [{ idp_session_id: string }];
    const post = (token: string) =>
      app.inject({ method: 'POST', url: '/auth/backchannel-logout', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `logout_token=${token}` });
    const forged = (await idp.logoutToken({ sid }, jose)).replace(/\.[^.]+$/, '.AAAA');
    expect((await post(forged)).statusCode).toBe(400);
    expect((await me(session)).statusCode).toBe(200);
    const accepted = await post(await idp.logoutToken({ sid }, jose));
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ ended: 1 });
    expect((await me(session)).statusCode).toBe(401);
  });

  it('refuses a deactivated user’s live session at once', async () => {
    const session = await signIn('alice');
    await db.dataSource.query(`UPDATE principal SET disabled_at = now() WHERE display_name = 'Alice Admin'`);
    expect((await me(session)).json()).toEqual({ code: 'PRINCIPAL_DISABLED' });
  });
});
