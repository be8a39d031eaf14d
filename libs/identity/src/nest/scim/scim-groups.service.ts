import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import { groupChange, groupStateFrom, patchGroupState, type ScimGroupRecord, type ScimGroupState } from '../../core/scim/scim-group';
import type { ScimListQuery } from '../../core/scim/scim-list';
import { ScimRepository } from './scim.repository';
import { inScimTransaction, regroupMembers, scimEvent, type ScimServiceConfig } from './scim-transaction';

/**
 * SCIM Groups. A group's displayName is a group of its members (their `groups`), which ATTEST_ROLE_MAPPING turns
 * into roles: a membership change re-maps the members' roles in the same transaction as the change and its audit
 * event (`scim.group_updated`, member ids only).
 *
 * @example
 * await groups.patch(id, { Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] }, actor);
 */
export class ScimGroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly config: ScimServiceConfig,
    private readonly tenant = 'default',
  ) {}

  async get(id: string): Promise<ScimGroupRecord> {
    const group = await new ScimRepository(this.dataSource).findGroup(this.tenant, id);
    if (!group) throw new ScimError(ScimErrorCode.NotFound, 'No such Group.');
    return group;
  }

  list(query: ScimListQuery): Promise<{ total: number; groups: ScimGroupRecord[] }> {
    return new ScimRepository(this.dataSource).listGroups(this.tenant, query.filter, query.startIndex - 1, query.count);
  }

  async create(body: unknown, actor: AuditActor): Promise<ScimGroupRecord> {
    const state = groupStateFrom(body);
    const id = await inScimTransaction(this.dataSource, async (repository) => {
      if (await repository.groupNameTaken(this.tenant, state.displayName, null)) throw nameTaken();
      await this.requireLiveUsers(repository, state.memberIds);
      const groupId = await repository.insertGroup(this.tenant, state);
      await repository.addMembers(groupId, state.memberIds);
      await regroupMembers(repository, state.memberIds, { removed: [], added: [state.displayName] }, this.config);
      await this.audit.record(scimEvent('scim.group_created', actor, { type: 'scim_group', id: groupId }, { membersAdded: state.memberIds }));
      return groupId;
    });
    return this.get(id);
  }

  async replace(id: string, body: unknown, actor: AuditActor): Promise<ScimGroupRecord> {
    const current = await this.get(id);
    return this.update(current, groupStateFrom(body), actor);
  }

  async patch(id: string, body: unknown, actor: AuditActor): Promise<ScimGroupRecord> {
    const current = await this.get(id);
    return this.update(current, patchGroupState(current.state, body), actor);
  }

  async delete(id: string, actor: AuditActor): Promise<void> {
    const current = await this.get(id);
    await inScimTransaction(this.dataSource, async (repository) => {
      await regroupMembers(repository, current.state.memberIds, { removed: [current.state.displayName], added: [] }, this.config);
      await repository.deleteGroup(id);
      await this.audit.record(scimEvent('scim.group_deleted', actor, { type: 'scim_group', id }, { membersRemoved: current.state.memberIds }));
    });
  }

  private async update(current: ScimGroupRecord, next: ScimGroupState, actor: AuditActor): Promise<ScimGroupRecord> {
    const change = groupChange(current.state, next);
    const renamed = current.state.displayName !== next.displayName;
    const stayed = next.memberIds.filter((member) => current.state.memberIds.includes(member));
    await inScimTransaction(this.dataSource, async (repository) => {
      if (renamed && (await repository.groupNameTaken(this.tenant, next.displayName, current.id))) throw nameTaken();
      await this.requireLiveUsers(repository, change.added);
      await repository.updateGroup(current.id, next);
      await repository.removeMembers(current.id, change.removed);
      await repository.addMembers(current.id, change.added);
      await regroupMembers(repository, change.removed, { removed: [current.state.displayName], added: [] }, this.config);
      await regroupMembers(repository, change.added, { removed: [], added: [next.displayName] }, this.config);
      if (renamed) await regroupMembers(repository, stayed, { removed: [current.state.displayName], added: [next.displayName] }, this.config);
      await this.audit.record(
        scimEvent('scim.group_updated', actor, { type: 'scim_group', id: current.id }, { fields: change.fields, membersAdded: change.added, membersRemoved: change.removed }),
      );
    });
    return this.get(current.id);
  }

  /** Members must be users provisioned here (and not deleted): an unknown id is `invalidValue`, nothing changes. */
  private async requireLiveUsers(repository: ScimRepository, ids: readonly string[]): Promise<void> {
    const live = await repository.liveUserIds(this.tenant, ids);
    const unknown = ids.filter((id) => !live.has(id));
    if (unknown.length > 0) throw new ScimError(ScimErrorCode.InvalidValue, `members: ${unknown.length} value(s) are not provisioned users (${unknown.slice(0, 5).join(', ')}).`);
  }
}

function nameTaken(): ScimError {
  return new ScimError(ScimErrorCode.Uniqueness, 'Another group already has this displayName.');
}
