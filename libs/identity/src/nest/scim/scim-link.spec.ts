import type { AuditActor } from '@attest/contracts';
import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { testConfig } from '../../../test/factories';
import { useIdentityFixture } from '../../../test/identity-fixture';
import { TEST_AUDIENCE, TestIdp } from '../../../test/test-idp';
import type { IdentityConfig } from '../../core/identity.config';
import { IdentityErrorCode } from '../../core/identity.errors';
import type { AuthenticationService } from '../authentication.service';
import { createAuthenticationService } from '../identity.factory';
import { PrincipalLifecycleService } from '../principal-lifecycle.service';
import { ScimGroupsService } from './scim-groups.service';
import { ScimUsersService } from './scim-users.service';

const SCIM_ACTOR: AuditActor = { principalId: 'scim', kind: 'service', tenant: 'default', authMethod: 'scim_token' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Bearer tokens of provisioned users: linked to the SCIM principal, roles from SCIM groups, deactivation at once. */
describe('SCIM linking with bearer-token sign-ins', () => {
  let idp: TestIdp;
  let jose: typeof Jose;
  const fixture = useIdentityFixture();

  beforeAll(async () => {
    jose = await importEsm<typeof Jose>('jose');
    idp = await TestIdp.start();
  });
  afterAll(() => idp.close());

  function setup(overrides: Partial<IdentityConfig> = {}): { authentication: AuthenticationService; users: ScimUsersService; groups: ScimGroupsService } {
    const { db, audit } = fixture();
    const config = testConfig({
      oidcIssuer: idp.issuer,
      oidcAudience: TEST_AUDIENCE,
      oidcAlgorithms: ['RS256'],
      roleMapping: [{ claim: 'groups', equals: 'attest-developers', roles: ['developer'] }],
      ...overrides,
    });
    return {
      authentication: createAuthenticationService({ dataSource: db.dataSource, audit, config }),
      users: new ScimUsersService(db.dataSource, audit, new PrincipalLifecycleService(db.dataSource, audit), config),
      groups: new ScimGroupsService(db.dataSource, audit, config),
    };
  }

  async function token(claims: Record<string, unknown>): Promise<string> {
    const jwk = idp.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: idp.issuer, aud: TEST_AUDIENCE, client_id: 'portal', name: 'Pat Example', iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: String(jwk['kid']), typ: 'at+jwt' })
      .sign(await jose.importJWK(jwk as Jose.JWK, 'RS256'));
  }

  async function provisionDeveloper(services: ReturnType<typeof setup>, externalId: string): Promise<{ scimId: string; principalId: string; groupId: string }> {
    const user = await services.users.create({ userName: `${externalId}@example.com`, externalId, active: true }, SCIM_ACTOR);
    const group = await services.groups.create({ displayName: 'attest-developers', members: [{ value: user.id }] }, SCIM_ACTOR);
    return { scimId: user.id, principalId: user.principalId, groupId: group.id };
  }

  it('signs a provisioned user in as its SCIM principal, with the role its SCIM group maps to (sub = externalId)', async () => {
    const services = setup();
    const provisioned = await provisionDeveloper(services, '00u-okta-1');

    const principal = await services.authentication.authenticate({ authorization: `Bearer ${await token({ sub: '00u-okta-1', groups: [] })}` });

    expect(principal).toMatchObject({ id: provisioned.principalId, roles: ['developer'], groups: ['attest-developers'] });
    const [row] = await fixture().db.dataSource.query<{ subject: string }[]>('SELECT subject FROM principal WHERE id = $1', [provisioned.principalId]);
    expect(row?.subject).toBe(`oidc:${idp.issuer}#00u-okta-1`);
  });

  it('links through another claim when configured (Entra: oid, since its sub is pairwise)', async () => {
    const services = setup({ scimLinkClaim: 'oid' });
    const provisioned = await provisionDeveloper(services, '6c1f0e58-entra-object-id');

    const principal = await services.authentication.authenticate({
      authorization: `Bearer ${await token({ sub: 'pairwise-subject-abc', oid: '6c1f0e58-entra-object-id', groups: [] })}`,
    });
    expect(principal.id).toBe(provisioned.principalId);
  });

  it('refuses the next request of a token that just worked once SCIM deactivates the user', async () => {
    const services = setup();
    const provisioned = await provisionDeveloper(services, '00u-okta-2');
    const bearer = `Bearer ${await token({ sub: '00u-okta-2', groups: [] })}`;
    await services.authentication.authenticate({ authorization: bearer });

    await services.users.patch(provisioned.scimId, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, SCIM_ACTOR);

    await expect(services.authentication.authenticate({ authorization: bearer })).rejects.toMatchObject({ code: IdentityErrorCode.PrincipalDisabled });
    expect(fixture().audit.actions()).toEqual(expect.arrayContaining(['principal.deactivated', 'scim.user_deactivated', 'scim.user_updated']));
  });

  it('drops the role on the next request once SCIM removes the user from the group', async () => {
    const services = setup();
    const provisioned = await provisionDeveloper(services, '00u-okta-3');
    const bearer = `Bearer ${await token({ sub: '00u-okta-3', groups: [] })}`;
    expect((await services.authentication.authenticate({ authorization: bearer })).roles).toEqual(['developer']);

    await services.groups.patch(provisioned.groupId, { Operations: [{ op: 'remove', path: `members[value eq "${provisioned.scimId}"]` }] }, SCIM_ACTOR);

    await expect(services.authentication.authenticate({ authorization: bearer })).rejects.toMatchObject({ code: IdentityErrorCode.NoRoleMapped });
  });

  it('deactivates nothing when the audit log refuses the record (fail closed)', async () => {
    const services = setup();
    const provisioned = await provisionDeveloper(services, '00u-okta-4');
    fixture().audit.failing = true;

    await expect(services.users.patch(provisioned.scimId, { Operations: [{ op: 'replace', value: { active: false } }] }, SCIM_ACTOR)).rejects.toThrow('audit log unavailable');

    fixture().audit.failing = false;
    expect((await services.users.get(provisioned.scimId)).state.active).toBe(true);
  });

  it('adopts the principal of a user who signed in before being provisioned, instead of making a second one', async () => {
    const services = setup({ roleMapping: [{ claim: 'groups', equals: 'developers', roles: ['developer'] }] });
    const signedIn = await services.authentication.authenticate({ authorization: `Bearer ${await token({ sub: '00u-early', groups: ['developers'] })}` });

    const user = await services.users.create({ userName: 'early@example.com', externalId: '00u-early' }, SCIM_ACTOR);

    expect(user.principalId).toBe(signedIn.id);
    expect(fixture().audit.events.find((event) => event.action === 'scim.user_created')?.details).toMatchObject({ adopted: true });
  });
});
