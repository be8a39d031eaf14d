import type { Principal } from './principal';
import { mapClaimsToRoles, type Claims, type RoleMappingRule } from './role-mapping';
import { IdentityError, IdentityErrorCode } from './identity.errors';

/** What a token or ID token says about its holder, before the principal row exists. */
export type ExternalIdentity = Pick<Principal, 'kind' | 'displayName' | 'groups' | 'roles'> & {
  issuer: string;
  subject: string;
};

function stringClaim(claims: Claims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * A client-credentials token has no end user: OAuth 2.0 (RFC 6749 §4.4) leaves `sub` to the server, which then names
 * the client (RFC 9068 §2.2, oidc-provider, Okta), or Entra marks it with `idtyp: app`.
 */
export function isServiceToken(claims: Claims): boolean {
  const clientId = stringClaim(claims, 'client_id') ?? stringClaim(claims, 'azp') ?? stringClaim(claims, 'appid');
  const subject = stringClaim(claims, 'sub');
  return claims['idtyp'] === 'app' || subject === undefined || (clientId !== undefined && subject === clientId);
}

/**
 * Turns verified claims into an identity with roles; throws NO_ROLE_MAPPED when no rule grants anything.
 * Users are keyed by issuer + subject, never by e-mail (e-mails are reassigned; OpenID Connect Core §5.7).
 *
 * @example
 * externalIdentityFromClaims(claims, rules) // { kind: 'user', issuer, subject, roles: ['developer'], ... }
 */
export function externalIdentityFromClaims(claims: Claims, rules: readonly RoleMappingRule[], groupsClaim = 'groups'): ExternalIdentity {
  const issuer = stringClaim(claims, 'iss');
  const service = isServiceToken(claims);
  const clientId = stringClaim(claims, 'client_id') ?? stringClaim(claims, 'azp') ?? stringClaim(claims, 'appid');
  const subject = service ? (clientId ?? stringClaim(claims, 'sub')) : stringClaim(claims, 'sub');
  if (!issuer || !subject) throw new IdentityError(IdentityErrorCode.Unauthenticated);
  const mapped = mapClaimsToRoles(claims, rules, groupsClaim);
  if (mapped.roles.length === 0) {
    const hint = mapped.groupsOverage ? ' (the IdP sent a groups overage: map app roles instead of groups)' : '';
    throw new IdentityError(IdentityErrorCode.NoRoleMapped, `Your identity provider groups grant no role in Attest${hint}.`);
  }
  const displayName = service
    ? `client ${subject}`
    : (stringClaim(claims, 'name') ?? stringClaim(claims, 'preferred_username') ?? subject);
  return { kind: service ? 'service' : 'user', issuer, subject, displayName, groups: mapped.groups, roles: mapped.roles };
}
