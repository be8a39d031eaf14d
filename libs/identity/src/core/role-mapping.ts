import { z } from 'zod';
import { ROLES, type Role } from './principal';

/** One rule: when the claim holds the value, grant the roles. Rules are configuration (ATTEST_ROLE_MAPPING). */
export interface RoleMappingRule {
  /** Claim to read: `groups` (normalised, see {@link normaliseGroup}), `roles` (Entra app roles), `client_id`, or a dotted path such as `realm_access.roles`. */
  claim: string;
  /** The value that must be present (compared after normalisation for groups). */
  equals: string;
  roles: Role[];
}

export const roleMappingRuleSchema = z.object({
  claim: z.string().min(1).default('groups'),
  equals: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
});
export const roleMappingRulesSchema = z.array(roleMappingRuleSchema);

export type Claims = Record<string, unknown>;

export interface RoleMappingResult {
  roles: Role[];
  groups: string[];
  /**
   * Entra ID leaves `groups` out and points at Graph (`_claim_names.groups`) when a user is in too many groups
   * (over 200 in a JWT): the groups seen are then incomplete. Map Entra app roles (`roles` claim) instead.
   */
  groupsOverage: boolean;
}

/** Keycloak sends full group paths (`/engineering/admins`); rules are written without the leading slash. */
export function normaliseGroup(group: string): string {
  return group.replace(/^\/+/, '');
}

function valueAt(claims: Claims, path: string): unknown {
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** The groups a token or ID token carries, normalised. */
export function groupsFromClaims(claims: Claims, groupsClaim = 'groups'): string[] {
  return [...new Set(stringsOf(valueAt(claims, groupsClaim)).map(normaliseGroup))];
}

/** A rule that matched, by its position in ATTEST_ROLE_MAPPING (0-based). */
export interface RuleMatch {
  index: number;
  rule: RoleMappingRule;
}

/** {@link RoleMappingResult} and which rules granted the roles (the portal's preview and SSO test login show them). */
export interface RoleMappingExplanation extends RoleMappingResult {
  matches: RuleMatch[];
}

/**
 * Applies the rules to an IdP's claims and says which rules matched. {@link mapClaimsToRoles} is this without the
 * matches, so a preview and a real sign-in can never disagree.
 *
 * @example
 * explainClaimsMapping({ roles: ['Attest.Auditor'] }, [{ claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] }]).matches
 * // [{ index: 0, rule: { claim: 'roles', equals: 'Attest.Auditor', roles: ['auditor'] } }]
 */
export function explainClaimsMapping(claims: Claims, rules: readonly RoleMappingRule[], groupsClaim = 'groups'): RoleMappingExplanation {
  const groups = groupsFromClaims(claims, groupsClaim);
  const claimNames = valueAt(claims, '_claim_names');
  const groupsOverage =
    typeof claimNames === 'object' && claimNames !== null && groupsClaim in claimNames && valueAt(claims, groupsClaim) === undefined;
  const roles = new Set<Role>();
  const matches: RuleMatch[] = [];
  rules.forEach((rule, index) => {
    const values = rule.claim === groupsClaim ? groups : stringsOf(valueAt(claims, rule.claim));
    const wanted = rule.claim === groupsClaim ? normaliseGroup(rule.equals) : rule.equals;
    if (!values.includes(wanted)) return;
    matches.push({ index, rule });
    for (const role of rule.roles) roles.add(role);
  });
  return { roles: ROLES.filter((role) => roles.has(role)), groups, groupsOverage, matches };
}

/**
 * Applies the rules to an IdP's claims. No matching rule means no roles: the caller denies (deny by default).
 * Okta puts groups only in the ID token unless the authorisation server is told otherwise, so portal logins pass the
 * ID token's claims merged with the access token's.
 *
 * @example
 * mapClaimsToRoles({ groups: ['/attest/admins'] }, [{ claim: 'groups', equals: 'attest/admins', roles: ['admin'] }]);
 * // { roles: ['admin'], groups: ['attest/admins'], groupsOverage: false }
 */
export function mapClaimsToRoles(claims: Claims, rules: readonly RoleMappingRule[], groupsClaim = 'groups'): RoleMappingResult {
  const { roles, groups, groupsOverage } = explainClaimsMapping(claims, rules, groupsClaim);
  return { roles, groups, groupsOverage };
}
