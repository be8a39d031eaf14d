import { IdentityError, IdentityErrorCode } from './identity.errors';
import type { Role } from './principal';
import { explainClaimsMapping, type Claims, type RoleMappingRule } from './role-mapping';
import { claimsWithGroups } from './scim/scim-roles';
import { externalIdentityFromClaims, isServiceToken } from './token-identity';

/** A rule that granted roles, as the portal lists it (its position in ATTEST_ROLE_MAPPING, 0-based). */
export interface MatchedRule {
  index: number;
  claim: string;
  equals: string;
  roles: Role[];
}

/** What a sign-in with these claims would get, and why. Values of the claims are not repeated here. */
export interface RoleMappingPreview {
  /** `signed_in`: a sign-in with these claims gets `roles`; `refused`: it is refused with `refusal`. */
  outcome: 'signed_in' | 'refused';
  /** How the claims are read: a person, or a client-credentials token (no `sub`, or `sub` equal to the client id). */
  kind: 'user' | 'service';
  /** The roles the rules grant (sorted canonically); empty means the sign-in is refused. */
  roles: Role[];
  /** The groups the rules saw, normalised (Keycloak's leading `/` removed), SCIM-provisioned ones included. */
  groups: string[];
  /** Groups added from SCIM provisioning (sign-ins add them to the token's groups before mapping). */
  provisionedGroups: string[];
  /** Entra ID's groups overage: the token points at Graph instead of listing groups; map app roles instead. */
  groupsOverage: boolean;
  matchedRules: MatchedRule[];
  refusal: { code: string; message: string } | null;
}

const MISSING_IDENTITY =
  'The claims lack iss or sub, which every real ID token and access token carries: sign-in would be refused for that alone. The roles above are what the rules grant.';

/**
 * Runs the sign-in's own mapping on claims without signing anyone in: the same {@link claimsWithGroups} (SCIM groups
 * added), the same rules ({@link explainClaimsMapping}, which the login's `mapClaimsToRoles` wraps), and the same
 * verdict ({@link externalIdentityFromClaims}: no role, no sign-in). Pure: nothing is read or stored.
 *
 * @example
 * previewRoleMapping({ iss: 'https://idp', sub: 'u1', groups: ['/attest/admins'] }, [{ claim: 'groups', equals: 'attest/admins', roles: ['admin'] }])
 * // { outcome: 'signed_in', kind: 'user', roles: ['admin'], matchedRules: [{ index: 0, ... }], refusal: null, ... }
 */
export function previewRoleMapping(
  claims: Claims,
  rules: readonly RoleMappingRule[],
  groupsClaim = 'groups',
  provisionedGroups: readonly string[] = [],
): RoleMappingPreview {
  const merged = claimsWithGroups(claims, provisionedGroups, groupsClaim);
  const explained = explainClaimsMapping(merged, rules, groupsClaim);
  const base = {
    kind: isServiceToken(merged) ? ('service' as const) : ('user' as const),
    roles: explained.roles,
    groups: explained.groups,
    provisionedGroups: [...provisionedGroups],
    groupsOverage: explained.groupsOverage,
    matchedRules: explained.matches.map(({ index, rule }) => ({ index, claim: rule.claim, equals: rule.equals, roles: [...rule.roles] })),
  };
  try {
    externalIdentityFromClaims(merged, rules, groupsClaim);
    return { ...base, outcome: 'signed_in', refusal: null };
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    const message = error.code === IdentityErrorCode.Unauthenticated ? MISSING_IDENTITY : `No rule matched: sign-in refused. ${error.message}`;
    return { ...base, outcome: 'refused', refusal: { code: error.code, message } };
  }
}
