import { ROLES, type Role } from '../principal';
import { groupsFromClaims, mapClaimsToRoles, normaliseGroup, type Claims, type RoleMappingRule } from '../role-mapping';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The claims of a sign-in with the user's SCIM-provisioned groups added to the groups claim, so ATTEST_ROLE_MAPPING
 * sees both the IdP's token groups and the groups it pushed by SCIM (Okta sends no groups in access tokens by
 * default; provisioning still grants roles).
 *
 * @example
 * claimsWithGroups({ sub: 'u1', groups: ['a'] }, ['attest-developers'], 'groups') // { sub: 'u1', groups: ['a', 'attest-developers'] }
 */
export function claimsWithGroups(claims: Claims, extraGroups: readonly string[], groupsClaim: string): Claims {
  if (extraGroups.length === 0) return claims;
  const merged = [...new Set([...groupsFromClaims(claims, groupsClaim), ...extraGroups.map(normaliseGroup)])];
  const copy = structuredClone(claims);
  const parts = groupsClaim.split('.');
  const last = parts.pop() ?? groupsClaim;
  let target: Record<string, unknown> = copy;
  for (const part of parts) {
    if (!isObject(target[part])) target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  target[last] = merged;
  return copy;
}

function rolesFromGroups(groups: readonly string[], rules: readonly RoleMappingRule[], groupsClaim: string): Role[] {
  return mapClaimsToRoles(claimsWithGroups({}, groups, groupsClaim), rules, groupsClaim).roles;
}

export interface PrincipalGroups {
  groups: string[];
  roles: Role[];
}

/**
 * A principal's groups and roles after SCIM removed it from some groups and added it to others. Roles the old groups
 * granted are recomputed from the new groups; roles from other claims (Entra app roles) stay until the next sign-in.
 * A role granted both by a removed group and by another claim is dropped until then: the error is towards less access.
 */
export function regroup(current: PrincipalGroups, removed: readonly string[], added: readonly string[], rules: readonly RoleMappingRule[], groupsClaim: string): PrincipalGroups {
  const gone = new Set(removed.map(normaliseGroup));
  const groups = [...new Set([...current.groups.filter((group) => !gone.has(group)), ...added.map(normaliseGroup)])];
  const fromOldGroups = new Set(rolesFromGroups(current.groups, rules, groupsClaim));
  const fromNewGroups = new Set(rolesFromGroups(groups, rules, groupsClaim));
  const roles = ROLES.filter((role) => fromNewGroups.has(role) || (current.roles.includes(role) && !fromOldGroups.has(role)));
  return { groups, roles };
}

/** The IdP's stable user id in a sign-in's claims (ATTEST_SCIM_LINK_CLAIM: `sub`, or Entra's `oid`), if any. */
export function idpUserIdOf(claims: Claims, linkClaim: string): string | undefined {
  const value = claims[linkClaim];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
