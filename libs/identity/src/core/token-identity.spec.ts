import { IdentityErrorCode } from './identity.errors';
import type { RoleMappingRule } from './role-mapping';
import { externalIdentityFromClaims, isServiceToken } from './token-identity';

const rules: RoleMappingRule[] = [
  { claim: 'groups', equals: 'developers', roles: ['developer'] },
  { claim: 'client_id', equals: 'batch', roles: ['developer'] },
];

describe(externalIdentityFromClaims.name, () => {
  it('identifies a user by issuer and subject, never by e-mail', () => {
    const identity = externalIdentityFromClaims({ iss: 'https://idp', sub: 'u1', email: 'a@b.c', name: 'Ada', groups: ['developers'] }, rules);
    expect(identity).toEqual({ kind: 'user', issuer: 'https://idp', subject: 'u1', displayName: 'Ada', groups: ['developers'], roles: ['developer'] });
  });

  it.each([
    [{ iss: 'https://idp', client_id: 'batch' }],
    [{ iss: 'https://idp', sub: 'batch', client_id: 'batch' }],
    [{ iss: 'https://idp', sub: 'x', azp: 'batch', idtyp: 'app', client_id: 'batch' }],
  ])('treats a client-credentials token %j as a service', (claims) => {
    expect(isServiceToken(claims)).toBe(true);
    expect(externalIdentityFromClaims(claims, rules)).toMatchObject({ kind: 'service', subject: 'batch', roles: ['developer'] });
  });

  it('refuses an identity no rule maps, hinting at a groups overage', () => {
    expect(() => externalIdentityFromClaims({ iss: 'https://idp', sub: 'u1', groups: ['sales'] }, rules)).toThrow(
      expect.objectContaining({ code: IdentityErrorCode.NoRoleMapped }),
    );
    expect(() => externalIdentityFromClaims({ iss: 'https://idp', sub: 'u1', _claim_names: { groups: 'src1' } }, rules)).toThrow(/overage/);
  });
});
