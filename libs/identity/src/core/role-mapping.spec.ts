import { mapClaimsToRoles, type RoleMappingRule } from './role-mapping';

const rules: RoleMappingRule[] = [
  { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
  { claim: 'groups', equals: 'developers', roles: ['developer'] },
  { claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] },
  { claim: 'realm_access.roles', equals: 'approver', roles: ['model-approver'] },
  { claim: 'client_id', equals: 'batch-job', roles: ['developer'] },
];

describe(mapClaimsToRoles.name, () => {
  it('maps Keycloak group paths regardless of the leading slash', () => {
    expect(mapClaimsToRoles({ groups: ['/attest/admins', '/other'] }, rules)).toEqual({
      roles: ['admin'],
      groups: ['attest/admins', 'other'],
      groupsOverage: false,
    });
  });

  it('maps Entra app roles and nested claims, and orders roles canonically', () => {
    const result = mapClaimsToRoles({ roles: ['Attest.Auditor'], realm_access: { roles: ['approver'] }, groups: ['developers'] }, rules);
    expect(result.roles).toEqual(['auditor', 'model-approver', 'developer']);
  });

  it('grants nothing when no rule matches (deny by default)', () => {
    expect(mapClaimsToRoles({ groups: ['marketing'] }, rules).roles).toEqual([]);
    expect(mapClaimsToRoles({}, []).roles).toEqual([]);
  });

  it('flags an Entra groups overage, where the token names Graph instead of listing groups', () => {
    const claims = { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/...' } } };
    expect(mapClaimsToRoles(claims, rules)).toMatchObject({ groupsOverage: true, roles: [] });
  });

  it('maps a client-credentials client by its id', () => {
    expect(mapClaimsToRoles({ client_id: 'batch-job' }, rules).roles).toEqual(['developer']);
  });
});
