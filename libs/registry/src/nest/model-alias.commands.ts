import { validateAliasTargets, type AliasTargetSpec } from '../core/alias-routing';
import { servesThroughAlias } from '../core/lifecycle';
import { assertAliasName, formatVersionRef } from '../core/model-reference';
import { principalIdOf, type RegistryActor } from '../core/registry-actor';
import { RegistryError, RegistryErrorCode } from '../core/registry.errors';
import { inTransaction, recordAct, type RegistryContext } from './registry-context';
import { translatingDatabaseErrors } from './registry-db-errors';
import type { AliasRecord, AliasRevisionRecord, AliasTargetRecord, Queryable } from './registry-records';

const describeTargets = (targets: readonly AliasTargetRecord[]) => targets.map((target) => `${target.model}@${target.version}:${target.weight}`);

/** Aliases are what clients name; each change is a new revision, so any earlier routing can be restored in one act. */
export class ModelAliasCommands {
  constructor(private readonly context: RegistryContext) {}

  /** Points the alias at weighted versions (a canary is e.g. 90 / 10), creating it on first use. */
  async setAlias(input: { name: string; targets: AliasTargetSpec[]; reason?: string }, actor: RegistryActor): Promise<AliasRecord> {
    assertAliasName(input.name);
    validateAliasTargets(input.targets);
    return translatingDatabaseErrors(`alias ${input.name}`, () =>
      inTransaction(this.context, async (db) => {
        const targets: AliasTargetRecord[] = [];
        for (const target of input.targets) {
          const version = await this.context.repository.lockVersion(db, actor.tenant, target.ref.model, target.ref.version);
          const label = formatVersionRef(target.ref);
          if (!version) throw new RegistryError(RegistryErrorCode.ModelNotFound, `${label} is not registered`);
          if (!servesThroughAlias(version.status)) {
            throw new RegistryError(RegistryErrorCode.AliasTargetNotServable, `${label} is ${version.status}: an alias may route only to approved, active or deprecated versions`);
          }
          targets.push({ versionId: version.id, model: version.model, version: version.version, weight: target.weight });
        }
        const previous = await this.context.aliasRepository.findAlias(db, actor.tenant, input.name, true);
        const alias = await this.write(db, actor, input.name, targets, input.reason ?? '', null);
        await this.record(actor, 'model_alias.updated', alias, previous, { reason: input.reason ?? '' });
        return alias;
      }),
    );
  }

  /**
   * Restores an earlier revision's targets as a new revision. Without `toRevision` it goes back one step; repeated
   * rollbacks keep walking back (a rollback's own predecessor is the revision before the one it restored).
   */
  async rollbackAlias(input: { name: string; toRevision?: number; reason?: string }, actor: RegistryActor): Promise<AliasRecord> {
    return translatingDatabaseErrors(`alias ${input.name}`, () =>
      inTransaction(this.context, async (db) => {
        const current = await this.context.aliasRepository.findAlias(db, actor.tenant, input.name, true);
        if (!current) throw new RegistryError(RegistryErrorCode.AliasNotFound, `alias ${input.name} does not exist`);
        const history = await this.context.aliasRepository.aliasHistory(db, current.id);
        const head = history.find((entry) => entry.revision === current.revision);
        const wanted = input.toRevision ?? (head?.restoredRevision ?? current.revision) - 1;
        const restored = history.find((entry) => entry.revision === wanted);
        if (!restored || wanted === current.revision) {
          throw new RegistryError(RegistryErrorCode.NothingToRollBack, `alias ${input.name} is at revision ${current.revision}; there is no revision ${wanted} to roll back to`);
        }
        await this.assertStillRoutable(db, input.name, restored);
        const alias = await this.write(db, actor, input.name, restored.targets, input.reason ?? `rollback to revision ${wanted}`, wanted);
        await this.record(actor, 'model_alias.rolled_back', alias, current, { restoredRevision: wanted, reason: input.reason ?? '' });
        return alias;
      }),
    );
  }

  async history(tenant: string, name: string): Promise<AliasRevisionRecord[]> {
    const alias = await this.context.aliasRepository.findAlias(this.context.dataSource, tenant, name);
    if (!alias) throw new RegistryError(RegistryErrorCode.AliasNotFound, `alias ${name} does not exist`);
    return this.context.aliasRepository.aliasHistory(this.context.dataSource, alias.id);
  }

  private async assertStillRoutable(db: Queryable, name: string, revision: AliasRevisionRecord): Promise<void> {
    const versions = await this.context.repository.findVersionsByIds(db, revision.targets.map((target) => target.versionId));
    for (const target of revision.targets) {
      const version = versions.find((candidate) => candidate.id === target.versionId);
      if (!version || !servesThroughAlias(version.status)) {
        throw new RegistryError(
          RegistryErrorCode.AliasTargetNotServable,
          `cannot roll alias ${name} back to revision ${revision.revision}: ${target.model}@${target.version} is ${version?.status ?? 'gone'}`,
        );
      }
    }
  }

  private write(db: Queryable, actor: RegistryActor, name: string, targets: AliasTargetRecord[], reason: string, restoredRevision: number | null): Promise<AliasRecord> {
    return this.context.aliasRepository.writeAlias(db, { tenant: actor.tenant, name, targets, actor: actor.id, principalId: principalIdOf(actor), reason, restoredRevision });
  }

  private record(actor: RegistryActor, action: string, alias: AliasRecord, previous: AliasRecord | undefined, details: Record<string, string | number>): Promise<void> {
    return recordAct(this.context, actor, action, 'success', { type: 'model_alias', id: alias.id, name: alias.name, alias: alias.name, version: String(alias.revision) }, {
      ...details,
      revision: alias.revision,
      targets: describeTargets(alias.targets),
      previousTargets: previous ? describeTargets(previous.targets) : [],
    });
  }
}
