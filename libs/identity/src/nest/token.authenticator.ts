import type { AccessTokenVerifier } from '../core/access-token-verifier';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import type { RoleMappingRule } from '../core/role-mapping';
import { externalIdentityFromClaims, type ExternalIdentity } from '../core/token-identity';
import type { PrincipalRepository, PrincipalRow } from './principal.repository';

const PRINCIPAL_CACHE_MS = 60_000;
const PRINCIPAL_CACHE_SIZE = 10_000;

/** How an IdP identity is keyed in the principal table: issuer and subject, never the e-mail. */
export function externalSubject(identity: Pick<ExternalIdentity, 'issuer' | 'subject'>): string {
  return `oidc:${identity.issuer}#${identity.subject}`;
}

/**
 * Bearer JWTs from the enterprise IdP. The principal row is upserted on first sight and then at most once a minute per
 * identity, not on every request; roles come from the token each time.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, { row: PrincipalRow; fingerprint: string; until: number }>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly principals: PrincipalRepository,
    private readonly rules: readonly RoleMappingRule[],
    private readonly groupsClaim: string,
    private readonly tenant = 'default',
  ) {}

  async authenticate(token: string, now: Date): Promise<Principal> {
    const claims = await this.verifier.verify(token);
    const identity = externalIdentityFromClaims(claims, this.rules, this.groupsClaim);
    const row = await this.principalRow(identity, now);
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

  private async principalRow(identity: ExternalIdentity, now: Date): Promise<PrincipalRow> {
    const subject = externalSubject(identity);
    const cacheKey = `${identity.kind}\u0000${subject}`;
    const fingerprint = JSON.stringify([identity.displayName, identity.roles, identity.groups]);
    const cached = this.cache.get(cacheKey);
    if (cached && cached.fingerprint === fingerprint && cached.until > now.getTime()) return cached.row;
    const row = await this.principals.upsert({
      tenantId: this.tenant,
      kind: identity.kind,
      subject,
      displayName: identity.displayName,
      roles: identity.roles,
      groups: identity.groups,
    });
    if (this.cache.size >= PRINCIPAL_CACHE_SIZE) this.cache.clear();
    this.cache.set(cacheKey, { row, fingerprint, until: now.getTime() + PRINCIPAL_CACHE_MS });
    return row;
  }
}
