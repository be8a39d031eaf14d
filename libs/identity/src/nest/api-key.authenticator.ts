import { apiKeyMatchesHash, hashApiKey, parseApiKey } from '../core/api-key-format';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import type { ApiKeyRepository } from './api-key.repository';

/** Compared against when the lookup id is unknown, so a miss costs what a hit costs (no existence oracle by timing). */
const DECOY_HASH = hashApiKey(`atk_${'0'.repeat(12)}_${'0'.repeat(43)}`);

/**
 * Turns a presented `atk_` key into a principal: one indexed read per request, no cache, so a revocation holds on the
 * very next request on every replica. last_used_at is written at most once per interval per key.
 */
export class ApiKeyAuthenticator {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly lastUsedIntervalMs: number,
    private readonly onTouchFailed: (error: unknown) => void = () => undefined,
  ) {}

  async authenticate(presented: string, now: Date): Promise<Principal> {
    const parsed = parseApiKey(presented);
    const row = parsed ? await this.keys.findByPrefix(parsed.lookupId) : undefined;
    const genuine = apiKeyMatchesHash(presented, row?.secretHash ?? DECOY_HASH) && row !== undefined;
    if (!row || !genuine) throw new IdentityError(IdentityErrorCode.Unauthenticated);
    // Only the holder of the real secret learns that the key is revoked or expired.
    if (row.revokedAt && row.revokedAt <= now) throw this.withKey(IdentityErrorCode.KeyRevoked, row.id);
    if (row.expiresAt && row.expiresAt <= now) throw this.withKey(IdentityErrorCode.KeyExpired, row.id);
    if (row.principalDisabledAt) throw this.withKey(IdentityErrorCode.PrincipalDisabled, row.id);
    await this.touch(row.id, row.lastUsedAt, now);
    return {
      id: row.principalId,
      kind: row.principalKind,
      tenant: row.tenantId,
      displayName: row.principalDisplayName,
      groups: row.principalGroups,
      roles: row.roles,
      authMethod: 'api_key',
      keyId: row.id,
      modelScopes: row.modelScopes,
      actionScopes: row.actionScopes,
    };
  }

  private withKey(code: IdentityErrorCode, keyId: string): IdentityError {
    return new IdentityError(code, undefined, { keyId });
  }

  private async touch(keyId: string, lastUsedAt: Date | null, now: Date): Promise<void> {
    const interval = this.lastUsedIntervalMs;
    const known = Math.max(lastUsedAt?.getTime() ?? 0, this.lastWritten.get(keyId) ?? 0);
    if (now.getTime() - known < interval) return;
    this.lastWritten.set(keyId, now.getTime());
    if (this.lastWritten.size > 10_000) this.lastWritten.clear();
    // Bookkeeping must not fail a request that authenticated correctly.
    await this.keys.touchLastUsed(keyId, now, interval).catch(this.onTouchFailed);
  }
}
