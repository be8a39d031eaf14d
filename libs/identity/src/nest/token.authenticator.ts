import type { AccessTokenVerifier } from '../core/access-token-verifier';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import type { RoleMappingRule } from '../core/role-mapping';
import { claimsWithGroups, idpUserIdOf } from '../core/scim/scim-roles';
import { externalIdentityFromClaims, isServiceToken, type ExternalIdentity } from '../core/token-identity';
import type { PrincipalRepository, PrincipalRow } from './principal.repository';

const PRINCIPAL_CACHE_MS = 60_000;
const PRINCIPAL_CACHE_SIZE = 10_000;

/** How an IdP identity is keyed in the principal table: issuer and subject, never the e-mail. */
export function externalSubject(identity: Pick<ExternalIdentity, 'issuer' | 'subject'>): string {
  return `oidc:${identity.issuer}#${identity.subject}`;
}

/**
 * Bearer JWTs from the enterprise IdP. The principal row is upserted on first sight and then at most once a minute per
 * identity, not on every request (in between it is only read, so a deactivation holds at once); roles come from the
 * token each time, with the user's SCIM-provisioned groups added to its groups.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, { row: PrincipalRow; fingerprint: string; until: number }>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly principals: PrincipalRepository,
    private readonly rules: readonly RoleMappingRule[],
    private readonly groupsClaim: string,
    private readonly tenant = 'default',
    /** ATTEST_SCIM_LINK_CLAIM: the claim holding the IdP user id that SCIM provisioned as externalId. */
    private readonly linkClaim = 'sub',
  ) {}

  async authenticate(token: string, now: Date): Promise<Principal> {
    const claims = await this.verifier.verify(token);
    const idpUserId = isServiceToken(claims) ? undefined : idpUserIdOf(claims, this.linkClaim);
    // Read on every request, like API keys: a SCIM membership change holds on the next request on every replica.
    const groups = idpUserId ? await this.principals.provisionedGroups(this.tenant, idpUserId) : [];
    const identity = externalIdentityFromClaims(claimsWithGroups(claims, groups, this.groupsClaim), this.rules, this.groupsClaim);
    const row = await this.principalRow(identity, idpUserId, now);
    if (row.disabledAt) throw new IdentityError(IdentityErrorCode.PrincipalDisabled);
    return {
      id: row.id,
      kind: identity.kind,
      tenant: row.tenantId,
      displayName: identity.displayName,
      groups: identity.groups,
      roles: identity.roles,
      authMethod: 'oidc_token',
      modelScopes: null,
      actionScopes: null,
      issuer: identity.issuer,
      subject: identity.subject,
    };
  }

  private async principalRow(identity: ExternalIdentity, idpUserId: string | undefined, now: Date): Promise<PrincipalRow> {
    const subject = externalSubject(identity);
    const cacheKey = `${identity.kind}\u0000${subject}`;
    const fingerprint = JSON.stringify([identity.displayName, identity.roles, identity.groups]);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.fingerprint === fingerprint && cached.until > now.getTime()) {
      // The cache saves the write, never the check: a deactivation (SCIM, admin) holds on the next request.
      const current = await this.principals.findById(cached.row.id);
      if (current) return current;
    }
    const row = await this.principals.upsert({
      tenantId: this.tenant,
      kind: identity.kind,
      subject,
      displayName: identity.displayName,
      roles: identity.roles,
      groups: identity.groups,
      ...(idpUserId ? { idpUserId } : {}),
    });
    if (this.cache.size >= PRINCIPAL_CACHE_SIZE) this.cache.clear();
    this.cache.set(cacheKey, { row, fingerprint, until: now.getTime() + PRINCIPAL_CACHE_MS });
    return row;
  }
}
