import { IdentityError, IdentityErrorCode } from '../identity.errors';
import type { RoleMappingRule } from '../role-mapping';
import { samlClaims, samlIdentity, samlSubject, type ValidatedSamlProfile } from './saml-identity';
import { SamlLoginError, SamlRejection } from './saml-rejection';

const ENTRA_GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
const GROUPS_ATTRIBUTES = [ENTRA_GROUPS, 'groups'];
const RULES: RoleMappingRule[] = [
  { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
  { claim: 'groups', equals: 'developers', roles: ['developer'] },
  { claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] },
];

function profile(overrides: Partial<ValidatedSamlProfile> = {}): ValidatedSamlProfile {
  return {
    issuer: 'https://sts.windows.net/tenant/',
    nameID: 'u-123',
    nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    attributes: {
      [ENTRA_GROUPS]: ['/attest/admins', 'marketing'],
      groups: 'developers',
      'http://schemas.microsoft.com/identity/claims/displayname': 'Alice Admin',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'alice@example.com',
    },
    ...overrides,
  };
}

describe('SAML identity', () => {
  it('maps issuer and NameID to iss and sub, groups from every configured attribute, and no e-mail', () => {
    const claims = samlClaims(profile(), GROUPS_ATTRIBUTES, 'groups');
    expect(claims).toEqual({ iss: 'https://sts.windows.net/tenant/', sub: 'u-123', name: 'Alice Admin', groups: ['attest/admins', 'marketing', 'developers'] });
  });

  it('grants roles through the same rules as OIDC, app roles included', () => {
    const claims = samlClaims(profile({ attributes: { groups: 'developers', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': ['Attest.Auditor'] } }), GROUPS_ATTRIBUTES, 'groups');
    expect(samlIdentity(claims, [], RULES, 'groups')).toEqual({
      kind: 'user',
      issuer: 'https://sts.windows.net/tenant/',
      subject: 'u-123',
      displayName: 'u-123',
      groups: ['developers'],
      roles: ['auditor', 'developer'],
    });
  });

  it('places groups where ATTEST_OIDC_GROUPS_CLAIM says, so rules written for it match', () => {
    const claims = samlClaims(profile(), GROUPS_ATTRIBUTES, 'realm_access.groups');
    const identity = samlIdentity(claims, [], [{ claim: 'realm_access.groups', equals: 'developers', roles: ['developer'] }], 'realm_access.groups');
    expect(identity.roles).toEqual(['developer']);
  });

  it('counts SCIM-provisioned groups like the assertion’s', () => {
    const claims = samlClaims(profile({ attributes: {} }), GROUPS_ATTRIBUTES, 'groups');
    expect(samlIdentity(claims, ['developers'], RULES, 'groups').roles).toEqual(['developer']);
  });

  it('denies when no rule matches', () => {
    const claims = samlClaims(profile({ attributes: { groups: ['marketing'] } }), GROUPS_ATTRIBUTES, 'groups');
    const error = (() => {
      try {
        samlIdentity(claims, [], RULES, 'groups');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe(IdentityErrorCode.NoRoleMapped);
  });

  it.each([
    [{ nameID: undefined }, SamlRejection.NameIdMissing],
    [{ nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }, SamlRejection.NameIdTransient],
  ])('refuses a profile with %j', (overrides, reason) => {
    expect(() => samlClaims(profile(overrides), GROUPS_ATTRIBUTES, 'groups')).toThrow(new SamlLoginError(reason));
  });

  it('keys users by IdP entity id and NameID, apart from OIDC subjects', () => {
    expect(samlSubject({ issuer: 'https://idp', subject: 'u-1' })).toBe('saml:https://idp#u-1');
  });
});
