import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { generateApiKey, hashApiKey, maskedApiKey, parseApiKey } from '../core/api-key-format';
import { expiryFor, validateApiKeyRequest, type ApiKeyPolicy, type CreateApiKeyRequest } from '../core/api-key-request';
import type { ApiKeySummary } from '../core/api-key-summary';
import type { IdentityConfig } from '../core/identity.config';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import { ApiKeyRepository, type ApiKeyRow } from './api-key.repository';
import { principalIdOf, SYSTEM_ACTOR } from './audit-actor';
import { PrincipalRepository } from './principal.repository';

export type ApiKeyServiceConfig = ApiKeyPolicy & Pick<IdentityConfig, 'rotationOverlapMs' | 'bootstrapApiKey'>;

export interface RotateApiKeyOptions {
  /** How long the old key keeps working; default ATTEST_API_KEY_ROTATION_OVERLAP (24h). 0 ends it now. */
  overlapMs?: number;
  /** Lifetime of the new key; default: the old key's lifetime, else the default lifetime. */
  expiresInMs?: number | 'never';
}

export interface IssuedApiKey {
  /** The key in clear: shown to the caller once, stored nowhere. */
  key: string;
  record: ApiKeySummary;
}

/** Serialises bootstrap across replicas that start at the same time (any fixed 64-bit number works). */
const BOOTSTRAP_LOCK = 7_361_001_793;

export function summarise(row: ApiKeyRow, now: Date): ApiKeySummary {
  const status = row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    id: row.id,
    tenant: row.tenantId,
    principalId: row.principalId,
    name: row.name,
    maskedKey: maskedApiKey(row.prefix),
    roles: row.roles,
    modelScopes: row.modelScopes,
    actionScopes: row.actionScopes,
    status,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    rotatedFrom: row.rotatedFrom,
  };
}

/**
 * Creates, rotates, revokes and lists API keys. Each change and its audit event commit together: the event is recorded
 * inside the transaction, so if the audit log refuses it the change rolls back (fail closed).
 *
 * @example
 * const sut = new ApiKeyService(dataSource, auditRecorder, identityConfig.load());
 * const { key } = await sut.create({ name: 'ci', roles: ['developer'], models: ['llama3'] }, actor);
 */
export class ApiKeyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly config: ApiKeyServiceConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(request: CreateApiKeyRequest, actor: AuditActor, tenant = actor.tenant): Promise<IssuedApiKey> {
    const now = this.now();
    const valid = validateApiKeyRequest(request, this.config, now);
    return this.dataSource.transaction(async (manager) => {
      const principals = new PrincipalRepository(manager);
      const principal =
        valid.holder === 'person'
          ? await principals.ensurePerson(tenant, `key-holder:${valid.name}`, valid.name, valid.roles)
          : await principals.ensureService(tenant, `api-key:${valid.name}`, valid.name, valid.roles);
      const { key, lookupId } = generateApiKey();
      const row = await new ApiKeyRepository(manager).insert({
        tenantId: tenant,
        principalId: principal.id,
        name: valid.name,
        prefix: lookupId,
        secretHash: hashApiKey(key),
        roles: valid.roles,
        modelScopes: valid.modelScopes,
        actionScopes: valid.actionScopes,
        createdBy: principalIdOf(actor),
        expiresAt: valid.expiresAt,
        rotatedFrom: null,
        createdAt: now,
      });
      await this.record('api_key.created', actor, row, { roles: row.roles, holder: valid.holder, expiresAt: row.expiresAt?.toISOString() ?? null });
      return { key, record: summarise(row, now) };
    });
  }

  /** Issues a successor with the same holder, roles and scopes; the old key works for the overlap, then expires. */
  async rotate(keyId: string, options: RotateApiKeyOptions, actor: AuditActor, tenant = actor.tenant): Promise<IssuedApiKey & { previous: ApiKeySummary }> {
    const now = this.now();
    const overlapMs = options.overlapMs ?? this.config.rotationOverlapMs;
    if (!Number.isFinite(overlapMs) || overlapMs < 0) throw new IdentityError(IdentityErrorCode.InvalidKeyRequest, 'The overlap cannot be negative.');
    return this.dataSource.transaction(async (manager) => {
      const keys = new ApiKeyRepository(manager);
      const old = await this.findUsable(keys, tenant, keyId, now);
      const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : 'never';
      const requested = options.expiresInMs ?? (lifetime === 'never' || lifetime > this.config.keyMaxTtlMs ? undefined : lifetime);
      const expiresAt = expiryFor(requested, this.config, now);
      const { key, lookupId } = generateApiKey();
      const row = await keys.insert({
        tenantId: old.tenantId,
        principalId: old.principalId,
        name: old.name,
        prefix: lookupId,
        secretHash: hashApiKey(key),
        roles: old.roles,
        modelScopes: old.modelScopes,
        actionScopes: old.actionScopes,
        createdBy: principalIdOf(actor),
        expiresAt,
        rotatedFrom: old.id,
        createdAt: now,
      });
      const overlapEnd = new Date(now.getTime() + overlapMs);
      const previous = old.expiresAt && old.expiresAt <= overlapEnd ? old : await keys.setExpiry(old.id, overlapEnd);
      await this.record('api_key.rotated', actor, row, { rotatedFrom: old.id, previousExpiresAt: previous.expiresAt?.toISOString() ?? null });
      return { key, record: summarise(row, now), previous: summarise(previous, now) };
    });
  }

  /** Takes effect at once: authentication reads the key's row on every request, there is no cache to wait out. */
  async revoke(keyId: string, actor: AuditActor, reason: string | null = null, tenant = actor.tenant): Promise<ApiKeySummary> {
    const now = this.now();
    return this.dataSource.transaction(async (manager) => {
      const keys = new ApiKeyRepository(manager);
      const key = await keys.findForUpdate(tenant, keyId);
      if (!key) throw new IdentityError(IdentityErrorCode.KeyNotFound);
      if (key.revokedAt) return summarise(key, now);
      const row = await keys.revoke(key.id, now, principalIdOf(actor), reason);
      await this.record('api_key.revoked', actor, row, reason ? { reason } : {});
      return summarise(row, now);
    });
  }

  async list(tenant: string): Promise<ApiKeySummary[]> {
    const now = this.now();
    return (await new ApiKeyRepository(this.dataSource).list(tenant)).map((row) => summarise(row, now));
  }

  /**
   * On a database with no key and no admin, creates the first admin key: the one in ATTEST_BOOTSTRAP_API_KEY, else a
   * generated one that is written once through `log` (the only time any key reaches a log).
   */
  async ensureBootstrapAdmin(log: (line: string) => void, tenant = 'default'): Promise<void> {
    const now = this.now();
    const issued = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await new PrincipalRepository(manager).anyAdminOrKeyExists()) return null;
      const fromEnv = this.config.bootstrapApiKey ? parseApiKey(this.config.bootstrapApiKey) : null;
      const { key, lookupId } = fromEnv ?? generateApiKey();
      const expiresAt = expiryFor(undefined, this.config, now);
      // The bootstrap key is a person's (whoever installed Attest): admin acts need a person under the shipped policies.
      const principal = await new PrincipalRepository(manager).ensurePerson(tenant, 'bootstrap-admin', 'bootstrap-admin', ['admin']);
      const row = await new ApiKeyRepository(manager).insert({
        tenantId: tenant,
        principalId: principal.id,
        name: 'bootstrap-admin',
        prefix: lookupId,
        secretHash: hashApiKey(key),
        roles: ['admin'],
        modelScopes: null,
        actionScopes: null,
        createdBy: null,
        expiresAt,
        rotatedFrom: null,
        createdAt: now,
      });
      await this.record('api_key.created', SYSTEM_ACTOR, row, { bootstrap: true, fromEnvironment: fromEnv !== null });
      return { key: fromEnv ? null : key, row };
    });
    if (!issued) return;
    const until = issued.row.expiresAt ? ` (expires ${issued.row.expiresAt.toISOString()})` : '';
    if (issued.key === null) log(`Bootstrap admin key from ATTEST_BOOTSTRAP_API_KEY registered as ${maskedApiKey(issued.row.prefix)}${until}.`);
    else log(`Bootstrap admin API key, shown once, store it now: ${issued.key}${until}`);
  }

  private async findUsable(keys: ApiKeyRepository, tenant: string, keyId: string, now: Date): Promise<ApiKeyRow> {
    const key = await keys.findForUpdate(tenant, keyId);
    if (!key) throw new IdentityError(IdentityErrorCode.KeyNotFound);
    if (key.revokedAt || (key.expiresAt && key.expiresAt <= now)) {
      throw new IdentityError(IdentityErrorCode.InvalidKeyRequest, 'Only an active key can be rotated; create a new one instead.');
    }
    return key;
  }

  private async record(action: string, actor: AuditActor, row: ApiKeyRow, details: Record<string, string | boolean | string[] | null>): Promise<void> {
    await this.audit.record({
      action,
      outcome: 'success',
      actor,
      tenant: row.tenantId,
      resource: { type: 'api_key', id: row.id, name: row.name },
      details: { maskedKey: maskedApiKey(row.prefix), ...details },
    });
  }
}
