import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import type { ScimListQuery } from '../../core/scim/scim-list';
import { changedUserFields, patchUserState, userDisplayName, userStateFrom, type ScimUserState } from '../../core/scim/scim-user';
import type { PrincipalLifecycleService } from '../principal-lifecycle.service';
import { externalSubject } from '../token.authenticator';
import type { StoredScimUser } from './scim.repository';
import { ScimRepository } from './scim.repository';
import { inScimTransaction, regroupMembers, scimEvent, type ScimServiceConfig } from './scim-transaction';

const DEACTIVATION_REASON = 'deactivated by the identity provider (SCIM)';

/**
 * SCIM Users. Each user stands for one principal: a new one (subject `scim:…` until the user first signs in, see
 * PrincipalRepository.upsert), or the principal of a user who signed in before being provisioned. `active` is the
 * principal's: deactivation goes through PrincipalLifecycleService, so sessions end and keys are revoked at once.
 *
 * @example
 * const user = await users.create(oktaBody, actor);
 * await users.patch(user.id, { Operations: [{ op: 'replace', value: { active: false } }] }, actor);
 */
export class ScimUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly lifecycle: PrincipalLifecycleService,
    private readonly config: ScimServiceConfig,
    private readonly tenant = 'default',
  ) {}

  async get(id: string): Promise<StoredScimUser> {
    const user = await new ScimRepository(this.dataSource).findUser(this.tenant, id);
    if (!user) throw new ScimError(ScimErrorCode.NotFound, 'No such User.');
    return user;
  }

  list(query: ScimListQuery): Promise<{ total: number; users: StoredScimUser[] }> {
    return new ScimRepository(this.dataSource).listUsers(this.tenant, query.filter, query.startIndex - 1, query.count);
  }

  async create(body: unknown, actor: AuditActor): Promise<StoredScimUser> {
    const state = userStateFrom(body);
    const created = await inScimTransaction(this.dataSource, async (repository) => {
      if (await repository.userTaken(this.tenant, state, null)) throw taken();
      const adopted = state.externalId ? await repository.findAdoptablePrincipal(this.tenant, state.externalId, this.legacySubjectOf(state.externalId)) : undefined;
      const principalId = adopted?.id ?? (await repository.insertPrincipal(this.tenant, userDisplayName(state), state.externalId));
      if (adopted) await repository.updatePrincipal(principalId, userDisplayName(state), state.externalId);
      const id = await repository.upsertUser(this.tenant, principalId, state);
      if (!id) throw new ScimError(ScimErrorCode.Uniqueness, 'This user is already provisioned.');
      await this.audit.record(
        scimEvent('scim.user_created', actor, { type: 'scim_user', id }, { principalId, adopted: adopted !== undefined, fields: presentFields(state) }),
      );
      return id;
    });
    const user = await this.get(created);
    await this.follow(user, state.active, actor);
    return this.get(created);
  }

  async replace(id: string, body: unknown, actor: AuditActor): Promise<StoredScimUser> {
    const current = await this.get(id);
    return this.update(current, userStateFrom(body, current.state.active), actor);
  }

  async patch(id: string, body: unknown, actor: AuditActor): Promise<StoredScimUser> {
    const current = await this.get(id);
    return this.update(current, patchUserState(current.state, body), actor);
  }

  /** DELETE: deactivated first (sessions and keys end), then out of its groups and gone from SCIM (404 from now on). */
  async delete(id: string, actor: AuditActor): Promise<void> {
    const current = await this.get(id);
    await this.follow(current, false, actor);
    await inScimTransaction(this.dataSource, async (repository) => {
      const left = await repository.leaveAllGroups(id);
      await regroupMembers(repository, [id], { removed: left, added: [] }, this.config);
      await repository.markUserDeleted(id);
      await this.audit.record(scimEvent('scim.user_deleted', actor, { type: 'scim_user', id }, { principalId: current.principalId, groupsLeft: current.groups.map((group) => group.id) }));
    });
  }

  private async update(current: StoredScimUser, next: ScimUserState, actor: AuditActor): Promise<StoredScimUser> {
    // Deactivation first: whatever else the request holds, the user's access ends even if a later step fails.
    if (!next.active) await this.follow(current, false, actor);
    const fields = changedUserFields(current.state, next).filter((field) => field !== 'active');
    await inScimTransaction(this.dataSource, async (repository) => {
      if (await repository.userTaken(this.tenant, next, current.id)) throw taken();
      await repository.updateUser(current.id, next);
      await repository.updatePrincipal(current.principalId, userDisplayName(next), next.externalId);
      await this.audit.record(scimEvent('scim.user_updated', actor, { type: 'scim_user', id: current.id }, { principalId: current.principalId, fields }));
    });
    if (next.active) await this.follow(current, true, actor);
    return this.get(current.id);
  }

  /** Makes the principal's activity what the IdP says; a no-op when it already is. */
  private async follow(user: StoredScimUser, active: boolean, actor: AuditActor): Promise<void> {
    if (user.state.active === active) return;
    const resource = { type: 'scim_user' as const, id: user.id };
    if (!active) {
      const result = await this.lifecycle.deactivate(user.principalId, actor, DEACTIVATION_REASON);
      await this.audit.record(
        scimEvent('scim.user_deactivated', actor, resource, { principalId: user.principalId, endedSessions: result.endedSessions, revokedKeys: result.revokedKeys }),
      );
    } else {
      await this.lifecycle.reactivate(user.principalId, actor);
      await this.audit.record(scimEvent('scim.user_reactivated', actor, resource, { principalId: user.principalId }));
    }
    await new ScimRepository(this.dataSource).touchUser(user.id);
  }

  /** Principals from sign-ins before SCIM linking existed are found by their subject when the link claim is `sub`. */
  private legacySubjectOf(externalId: string): string | null {
    if (this.config.scimLinkClaim !== 'sub' || !this.config.oidcIssuer) return null;
    return externalSubject({ issuer: this.config.oidcIssuer, subject: externalId });
  }
}

function taken(): ScimError {
  return new ScimError(ScimErrorCode.Uniqueness, 'Another user already holds this userName or externalId.');
}

/** Attribute names a create carried (for the audit event; values are personal data and stay out). */
function presentFields(state: ScimUserState): string[] {
  const fields = ['userName', 'active'];
  if (state.externalId !== null) fields.push('externalId');
  if (state.displayName !== null) fields.push('displayName');
  return [...fields, ...Object.keys(state.profile).sort()];
}
