import fc from 'fast-check';
import { IdentityError } from './identity.errors';
import { mapClaimsToRoles, type Claims, type RoleMappingRule } from './role-mapping';
import { previewRoleMapping } from './role-mapping-preview';
import { externalIdentityFromClaims } from './token-identity';

// The rules of role-mapping.spec.ts: groups (Keycloak paths and Okta groups), Entra app roles, a nested Keycloak
// claim, and a client-credentials client.
const rules: RoleMappingRule[] = [
  { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
  { claim: 'groups', equals: 'developers', roles: ['developer'] },
  { claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] },
  { claim: 'realm_access.roles', equals: 'approver', roles: ['model-approver'] },
  { claim: 'client_id', equals: 'batch-job', roles: ['developer'] },
];
const person = { iss: 'https://idp.example', sub: 'u-1' };

describe(previewRoleMapping.name, () => {
  it('maps Keycloak group paths with or without the leading slash, naming the rule that matched', () => {
    const sut = previewRoleMapping({ ...person, groups: ['/attest/admins', '/other'] }, rules);
    expect(sut).toMatchObject({ outcome: 'signed_in', kind: 'user', roles: ['admin'], groups: ['attest/admins', 'other'], refusal: null });
    expect(sut.matchedRules).toEqual([{ index: 0, claim: 'groups', equals: 'attest/admins', roles: ['admin'] }]);
  });

  it('maps Okta groups sent in the ID token, and SCIM-provisioned groups added as the sign-in adds them', () => {
    const okta = { iss: 'https://acme.okta.com', sub: '00u1', groups: ['Everyone'] };
    expect(previewRoleMapping(okta, rules)).toMatchObject({ outcome: 'refused', roles: [], refusal: { code: 'NO_ROLE_MAPPED' } });
    const provisioned = previewRoleMapping(okta, rules, 'groups', ['developers']);
    expect(provisioned).toMatchObject({ outcome: 'signed_in', roles: ['developer'], provisionedGroups: ['developers'], groups: ['Everyone', 'developers'] });
  });

  it('says an Entra groups overage refuses the sign-in and points at app roles, which still map', () => {
    const overage = { ...person, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u-1/getMemberObjects' } } };
    const refused = previewRoleMapping(overage, rules);
    expect(refused).toMatchObject({ outcome: 'refused', groupsOverage: true, roles: [], matchedRules: [] });
    expect(refused.refusal?.message).toMatch(/^No rule matched: sign-in refused\. .*groups overage: map app roles instead/);
    const withAppRole = previewRoleMapping({ ...overage, roles: ['Attest.Auditor'] }, rules);
    expect(withAppRole).toMatchObject({ outcome: 'signed_in', groupsOverage: true, roles: ['auditor'], matchedRules: [{ index: 2, claim: 'roles' }] });
  });

  it('lists every matching rule and orders roles canonically', () => {
    const sut = previewRoleMapping({ ...person, roles: ['Attest.Auditor'], realm_access: { roles: ['approver'] }, groups: ['developers'] }, rules);
    expect(sut.roles).toEqual(['auditor', 'model-approver', 'developer']);
    expect(sut.matchedRules.map((rule) => rule.index)).toEqual([1, 2, 3]);
  });

  it('reads a client-credentials token as a service', () => {
    expect(previewRoleMapping({ iss: 'https://idp.example', sub: 'batch-job', client_id: 'batch-job' }, rules)).toMatchObject({
      outcome: 'signed_in',
      kind: 'service',
      roles: ['developer'],
    });
  });

  it('tells that claims without iss or sub would be refused, and still shows what the rules grant', () => {
    const sut = previewRoleMapping({ groups: ['developers'], sub: 'u-2' }, rules);
    expect(sut).toMatchObject({ outcome: 'refused', roles: ['developer'], refusal: { code: 'UNAUTHENTICATED' } });
  });

  it('agrees with the sign-in on any claims: same roles, and refuses exactly when the sign-in refuses', () => {
    const group = fc.constantFrom('attest/admins', '/attest/admins', 'developers', '/developers', 'marketing', 'Everyone');
    const claims = fc.record(
      {
        iss: fc.constant('https://idp.example'),
        sub: fc.constantFrom('u-1', 'batch-job'),
        client_id: fc.constantFrom('batch-job', 'portal'),
        groups: fc.array(group, { maxLength: 4 }),
        roles: fc.array(fc.constantFrom('Attest.Auditor', 'Other'), { maxLength: 2 }),
        realm_access: fc.record({ roles: fc.array(fc.constantFrom('approver', 'viewer'), { maxLength: 2 }) }),
      },
      { requiredKeys: ['iss'] },
    );
    fc.assert(
      fc.property(claims, (generated: Claims) => {
        const preview = previewRoleMapping(generated, rules);
        expect(preview.roles).toEqual(mapClaimsToRoles(generated, rules).roles);
        let signedIn = true;
        try {
          expect(externalIdentityFromClaims(generated, rules).roles).toEqual(preview.roles);
        } catch (error) {
          if (!(error instanceof IdentityError)) throw error;
          signedIn = false;
          expect(preview.refusal?.code).toBe(error.code);
        }
        expect(preview.outcome).toBe(signedIn ? 'signed_in' : 'refused');
      }),
      { numRuns: 300 },
    );
  });
});
