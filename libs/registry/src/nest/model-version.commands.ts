import { assertCanApprove, assertTransition, type VersionStatus } from '../core/lifecycle';
import { formatVersionRef, type VersionRef } from '../core/model-reference';
import { principalIdOf, type RegistryActor } from '../core/registry-actor';
import { RegistryError, RegistryErrorCode } from '../core/registry.errors';
import { prepareVersion, type RegisterVersionInput } from './registration-input';
import { inTransaction, recordAct, versionLabel, versionResource, type RegistryContext } from './registry-context';
import { translatingDatabaseErrors } from './registry-db-errors';
import type { Queryable, VersionRecord } from './registry-records';

/** The lifecycle acts on versions: register, approve (four-eyes), promote, deprecate, retire. Each is audited. */
export class ModelVersionCommands {
  constructor(private readonly context: RegistryContext) {}

  async register(input: RegisterVersionInput, actor: RegistryActor): Promise<VersionRecord> {
    const prepared = await prepareVersion(input);
    const { repository } = this.context;
    const label = `${prepared.name}@${prepared.version ?? 'next'}`;
    return translatingDatabaseErrors(label, () =>
      inTransaction(this.context, async (db) => {
        const model = await repository.ensureModel(db, actor.tenant, prepared.name);
        const version = prepared.version ?? (await repository.nextVersionNumber(db, model.id));
        if (await repository.findVersion(db, actor.tenant, prepared.name, version)) {
          throw new RegistryError(RegistryErrorCode.DuplicateVersion, `${prepared.name}@${version} already exists: a change is a new version`);
        }
        const id = await repository.insertVersion(db, {
          ...prepared,
          modelId: model.id,
          version,
          status: 'draft',
          registeredBy: actor.id,
          registeredByPrincipal: principalIdOf(actor),
        });
        for (const adapter of prepared.adapters) await repository.insertAdapter(db, id, adapter.record, adapter.gguf);
        const record = await this.mustFind(db, actor.tenant, { model: prepared.name, version });
        await recordAct(this.context, actor, 'model_version.registered', 'success', versionResource(record), {
          modelCreated: model.created,
          source: record.source.kind,
          sizeBytes: record.size,
          licence: record.licence,
          loraAdapters: record.loraAdapters.map((adapter) => ({ name: adapter.name, sha256: adapter.sha256 })),
        });
        return record;
      }),
    );
  }

  /** draft → approved, by a `model-approver` who did not register it. A refused attempt is audited as denied. */
  async approve(ref: VersionRef, actor: RegistryActor, comment = ''): Promise<VersionRecord> {
    try {
      return await translatingDatabaseErrors(formatVersionRef(ref), () =>
        inTransaction(this.context, async (db) => {
          const version = await this.mustLock(db, actor.tenant, ref);
          const label = versionLabel(version);
          assertTransition(label, version.status, 'approved');
          assertCanApprove({ label, approverId: actor.id, approverRoles: actor.roles, registeredBy: version.registeredBy });
          await this.context.repository.markApproved(db, version.id, actor.id, principalIdOf(actor), actor.roles, comment);
          const approved = await this.mustFind(db, actor.tenant, ref);
          await recordAct(this.context, actor, 'model_version.approved', 'success', versionResource(approved), {
            registeredBy: approved.registeredBy,
            comment,
          });
          return approved;
        }),
      );
    } catch (error) {
      if (error instanceof RegistryError && (error.code === RegistryErrorCode.FourEyesRequired || error.code === RegistryErrorCode.ApproverRoleRequired)) {
        await recordAct(this.context, actor, 'model_version.approved', 'denied', { type: 'model_version', name: ref.model, version: String(ref.version) }, { reason: error.code });
      }
      throw error;
    }
  }

  /** approved (or deprecated) → active: the version now serves under its model name. */
  promote(ref: VersionRef, actor: RegistryActor): Promise<VersionRecord> {
    return this.changeStatus(ref, 'active', 'model_version.activated', actor);
  }

  /** active → deprecated: still serves when named, flagged for clients to move on. */
  deprecate(ref: VersionRef, actor: RegistryActor): Promise<VersionRecord> {
    return this.changeStatus(ref, 'deprecated', 'model_version.deprecated', actor);
  }

  /** Any → retired, for good; refused while an alias still routes to it. */
  retire(ref: VersionRef, actor: RegistryActor, reason = ''): Promise<VersionRecord> {
    return this.changeStatus(ref, 'retired', 'model_version.retired', actor, reason);
  }

  private changeStatus(ref: VersionRef, to: VersionStatus, action: string, actor: RegistryActor, reason = ''): Promise<VersionRecord> {
    return translatingDatabaseErrors(formatVersionRef(ref), () =>
      inTransaction(this.context, async (db) => {
        const version = await this.mustLock(db, actor.tenant, ref);
        const label = versionLabel(version);
        assertTransition(label, version.status, to);
        if (to === 'retired') {
          const aliases = await this.context.aliasRepository.aliasesTargeting(db, version.id);
          if (aliases.length > 0) {
            throw new RegistryError(RegistryErrorCode.VersionInUse, `${label} is still a target of alias ${aliases.join(', ')}: change the alias first`);
          }
        }
        await this.context.repository.updateStatus(db, version.id, to, actor.id);
        const changed = await this.mustFind(db, actor.tenant, ref);
        await recordAct(this.context, actor, action, 'success', versionResource(changed), { from: version.status, to, ...(reason ? { reason } : {}) });
        return changed;
      }),
    );
  }

  private async mustLock(db: Queryable, tenant: string, ref: VersionRef): Promise<VersionRecord> {
    const version = await this.context.repository.lockVersion(db, tenant, ref.model, ref.version);
    if (!version) throw new RegistryError(RegistryErrorCode.ModelNotFound, `${formatVersionRef(ref)} is not registered`);
    return version;
  }

  private async mustFind(db: Queryable, tenant: string, ref: VersionRef): Promise<VersionRecord> {
    const version = await this.context.repository.findVersion(db, tenant, ref.model, ref.version);
    if (!version) throw new RegistryError(RegistryErrorCode.ModelNotFound, `${formatVersionRef(ref)} is not registered`);
    return version;
  }
}
