import type { AuditActor, AuditEventDraft, JsonValue } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../../core/identity.config';
import { regroup } from '../../core/scim/scim-roles';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import { ScimRepository } from './scim.repository';

/** What the SCIM services read from the identity configuration. */
export type ScimServiceConfig = Pick<IdentityConfig, 'roleMapping' | 'oidcGroupsClaim' | 'oidcIssuer' | 'scimLinkClaim'>;

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return code === '23505' || driverError?.code === '23505';
}

/**
 * Runs SCIM writes in one transaction; a unique index refusing a userName, externalId or group displayName becomes
 * the SCIM `uniqueness` error (409) that Okta and Entra handle by matching the existing resource.
 */
export async function inScimTransaction<T>(dataSource: DataSource, work: (repository: ScimRepository) => Promise<T>): Promise<T> {
  try {
    return await dataSource.transaction((manager) => work(new ScimRepository(manager)));
  } catch (error) {
    if (isUniqueViolation(error)) throw new ScimError(ScimErrorCode.Uniqueness, 'Another resource already holds this userName, externalId or displayName.');
    throw error;
  }
}

/**
 * After a membership change: each member's `groups` lose the removed group names and gain the added ones, and their
 * roles are mapped again (ATTEST_ROLE_MAPPING), so live portal sessions carry the new roles on their next request.
 */
export async function regroupMembers(
  repository: ScimRepository,
  userIds: readonly string[],
  change: { removed: readonly string[]; added: readonly string[] },
  config: ScimServiceConfig,
): Promise<void> {
  const principals = await repository.principalsOf(userIds);
  for (const principal of principals.values()) {
    const next = regroup(principal, change.removed, change.added, config.roleMapping, config.oidcGroupsClaim);
    await repository.setPrincipalGroups(principal.id, next.groups, next.roles);
  }
}

/** A SCIM audit event: the IdP is the actor; details carry ids and attribute names, never names or addresses. */
export function scimEvent(action: string, actor: AuditActor, resource: { type: 'scim_user' | 'scim_group'; id: string }, details: Record<string, JsonValue>): AuditEventDraft {
  return { action, outcome: 'success', actor, tenant: actor.tenant, resource, details };
}
