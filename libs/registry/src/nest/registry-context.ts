import type { AuditEventDraft, AuditRecorder, JsonValue } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { toAuditActor, type RegistryActor } from '../core/registry-actor';
import type { ModelAliasRepository } from './model-alias.repository';
import type { ModelRegistryRepository } from './model-registry.repository';
import type { Queryable, VersionRecord } from './registry-records';

/** What the registry's command and query classes share. */
export interface RegistryContext {
  dataSource: DataSource;
  audit: AuditRecorder;
  repository: ModelRegistryRepository;
  aliasRepository: ModelAliasRepository;
  builtinModelPath: string;
  random: () => number;
}

/** Runs `work` in one transaction; callers record their audit event inside it, so no act commits unrecorded. */
export function inTransaction<T>(context: RegistryContext, work: (db: Queryable) => Promise<T>): Promise<T> {
  return context.dataSource.transaction((manager) => work(manager));
}

export function versionLabel(version: Pick<VersionRecord, 'model' | 'version'>): string {
  return `${version.model}@${version.version}`;
}

/** Records one registry act; rejects (and so fails the act) when the audit log cannot commit it. */
export async function recordAct(
  context: RegistryContext,
  actor: RegistryActor,
  action: string,
  outcome: AuditEventDraft['outcome'],
  resource: AuditEventDraft['resource'],
  details: Record<string, JsonValue> = {},
): Promise<void> {
  await context.audit.record({ action, outcome, actor: toAuditActor(actor), tenant: actor.tenant, ...(resource ? { resource } : {}), details });
}

export function versionResource(version: VersionRecord): NonNullable<AuditEventDraft['resource']> {
  return {
    type: 'model_version',
    id: version.id,
    name: version.model,
    version: String(version.version),
    ...(version.sha256 === null ? {} : { sha256: version.sha256 }),
  };
}
