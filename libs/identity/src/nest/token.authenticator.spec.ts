import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { resetIdentityTables, testConfig } from '../../test/factories';
import { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { TEST_AUDIENCE, TestIdp } from '../../test/test-idp';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { AuthenticationService } from './authentication.service';
import { createAuthenticationService } from './identity.factory';
import { TokenAuthenticator } from './token.authenticator';

describe(TokenAuthenticator.name, () => {
  let db: TestDatabase;
  let idp: TestIdp;
  let jose: typeof Jose;
  let audit: RecordingAuditRecorder;
  let sut: AuthenticationService;

  beforeAll(async () => {
    jose = await importEsm<typeof Jose>('jose');
    [db, idp] = await Promise.all([createTestDatabase(), TestIdp.start()]);
  });
  afterAll(async () => {
    await idp.close();
    await db.drop();
  });
  beforeEach(async () => {
    await resetIdentityTables(db.dataSource);
    audit = new RecordingAuditRecorder();
    const config = testConfig({
      oidcIssuer: idp.issuer,
      oidcAudience: TEST_AUDIENCE,
      oidcAlgorithms: ['RS256'],
      roleMapping: [
        { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
        { claim: 'groups', equals: 'developers', roles: ['developer'] },
        { claim: 'client_id', equals: 'batch', roles: ['developer'] },
      ],
    });
    sut = createAuthenticationService({ dataSource: db.dataSource, audit, config });
  });

  /** A user access token as the IdP would sign it after a code flow. */
  async function userToken(sub: string, groups: string[]): Promise<string> {
    const jwk = idp.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: idp.issuer, aud: TEST_AUDIENCE, sub, groups, client_id: 'portal', name: `User ${sub}`, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'RS256', kid: String(jwk['kid']), typ: 'at+jwt' })
      .sign(await jose.importJWK(jwk as Jose.JWK, 'RS256'));
  }

  it('maps a client-credentials token to a service principal, stored once', async () => {
    const token = await idp.clientCredentialsToken();
    const first = await sut.authenticate({ authorization: `Bearer ${token}` });
    const second = await sut.authenticate({ authorization: `Bearer ${token}` });
    expect(first).toMatchObject({ kind: 'service', authMethod: 'oidc_token', roles: ['developer'], subject: 'batch', modelScopes: null, tenant: 'default' });
    expect(second.id).toBe(first.id);
    const rows = await db.dataSource.query<{ subject: string; kind: string }[]>('SELECT subject, kind FROM principal');
    expect(rows).toEqual([{ subject: `oidc:${idp.issuer}#batch`, kind: 'service' }]);
  });

  it('maps a user token’s groups to roles and keys the user by issuer and subject', async () => {
    const principal = await sut.authenticate({ authorization: `Bearer ${await userToken('u-42', ['/attest/admins', 'developers'])}` });
    expect(principal).toMatchObject({ kind: 'user', roles: ['admin', 'developer'], groups: ['attest/admins', 'developers'], issuer: idp.issuer, subject: 'u-42' });
  });

  it('refuses a user whose groups map to no role, and records why', async () => {
    const error = await sut.authenticate({ authorization: `Bearer ${await userToken('u-7', ['marketing'])}` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe(IdentityErrorCode.NoRoleMapped);
    expect(audit.events).toEqual([expect.objectContaining({ action: 'authentication.failed', details: { code: 'NO_ROLE_MAPPED' } })]);
  });

  it('refuses a deactivated user even with a valid token', async () => {
    const token = await userToken('u-9', ['developers']);
    const principal = await sut.authenticate({ authorization: `Bearer ${token}` });
    await db.dataSource.query('UPDATE principal SET disabled_at = now() WHERE id = $1', [principal.id]);
    const fresh = createAuthenticationService({ dataSource: db.dataSource, audit, config: testConfig({ oidcIssuer: idp.issuer, oidcAudience: TEST_AUDIENCE, roleMapping: [{ claim: 'groups', equals: 'developers', roles: ['developer'] }] }) });
    await expect(fresh.authenticate({ authorization: `Bearer ${token}` })).rejects.toMatchObject({ code: IdentityErrorCode.PrincipalDisabled });
  });
});
