import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AliasTargetSpec } from '../core/alias-routing';
import { type HashProgress } from '../core/file-digest';
import { type VersionRef } from '../core/model-reference';
import { SYSTEM_ACTOR, type RegistryActor } from '../core/registry-actor';
import { defaultBuiltinModelPath, registryConfig } from '../core/registry.config';
import { type ResolvedModel } from '../core/resolved-model';
import { BuiltinModelInstaller } from './builtin-model.installer';
import { ModelAliasCommands } from './model-alias.commands';
import { ModelAliasRepository } from './model-alias.repository';
import { ModelIntegrity } from './model-integrity';
import { ModelRegistryRepository } from './model-registry.repository';
import { ModelResolver, type ServableModel } from './model-resolver';
import { ModelVersionCommands } from './model-version.commands';
import { type RegisterVersionInput } from './registration-input';
import { type RegistryContext } from './registry-context';
import { type AliasRecord, type AliasRevisionRecord, type VersionRecord } from './registry-records';

export const REGISTRY_OPTIONS = Symbol.for('attest.RegistryOptions');

export interface RegistryOptions {
  /** Default: ATTEST_BUILTIN_MODEL_PATH, else models/builtin of this installation. */
  builtinModelPath?: string;
  /** Default: ATTEST_REGISTER_BUILTIN_MODEL (true). */
  registerBuiltinModel?: boolean;
  /** Source of [0, 1) for canary picks; specs pass a fixed one. */
  random?: () => number;
  /**
   * How long a resolution is reused (default 1 s). This instance's own acts clear it at once; acts of other processes
   * (replicas, the CLI) are seen within this time. 0 reads the registry on every request.
   */
  resolutionCacheMs?: number;
}

/**
 * The model registry: resolution for every request, lifecycle and aliases for admins, integrity before load.
 * Constructible without Nest: `new ModelRegistryService(dataSource, auditRecorder)` (the CLI does).
 *
 * @example
 * const resolved = await registry.resolve(principal.tenant, body.model); // alias → weighted version pick
 * await registry.verifyIntegrity(resolved); // before loading the weights
 */
@Injectable()
export class ModelRegistryService {
  private readonly resolver: ModelResolver;
  private readonly versions: ModelVersionCommands;
  private readonly aliases: ModelAliasCommands;
  private readonly integrity: ModelIntegrity;
  private readonly installer: BuiltinModelInstaller;
  private readonly registerBuiltin: boolean;
  private readonly context: RegistryContext;

  constructor(
    dataSource: DataSource,
    @Inject(AUDIT_RECORDER) audit: AuditRecorder,
    @Optional() @Inject(REGISTRY_OPTIONS) options: RegistryOptions = {},
  ) {
    const config = options.builtinModelPath === undefined || options.registerBuiltinModel === undefined ? registryConfig.load() : undefined;
    const context: RegistryContext = (this.context = {
      dataSource,
      audit,
      repository: new ModelRegistryRepository(),
      aliasRepository: new ModelAliasRepository(),
      builtinModelPath: options.builtinModelPath ?? config?.builtinModelPath ?? defaultBuiltinModelPath(),
      random: options.random ?? Math.random,
    });
    this.registerBuiltin = options.registerBuiltinModel ?? config?.registerBuiltinModel ?? true;
    this.resolver = new ModelResolver(context, options.resolutionCacheMs);
    this.versions = new ModelVersionCommands(context);
    this.aliases = new ModelAliasCommands(context);
    this.integrity = new ModelIntegrity(context);
    this.installer = new BuiltinModelInstaller(context);
  }

  /** Which version serves `requested` (alias, `name`, or `name@version`) for this tenant. */
  resolve(tenant: string, requested: string): Promise<ResolvedModel> {
    return this.resolver.resolve(tenant, requested);
  }

  /** The ids GET /v1/models lists: aliases and models that can serve now. */
  listServable(tenant: string): Promise<ServableModel[]> {
    return this.resolver.listServable(tenant);
  }

  /** Registers the built-in demo model as active when the registry is empty (first start). */
  async ensureBuiltinModel(log: (line: string) => void): Promise<void> {
    if (this.registerBuiltin) await this.changing(() => this.installer.ensure(log));
  }

  /** Hashes a local version's files and refuses (INTEGRITY_MISMATCH) unless they are the approved ones. */
  verifyIntegrity(resolved: ResolvedModel, actor?: RegistryActor, onProgress?: HashProgress): Promise<void> {
    return this.integrity.verify(resolved, actor ?? { ...SYSTEM_ACTOR, tenant: resolved.tenant ?? SYSTEM_ACTOR.tenant }, onProgress);
  }

  register(input: RegisterVersionInput, actor: RegistryActor): Promise<VersionRecord> {
    return this.changing(() => this.versions.register(input, actor));
  }

  approve(ref: VersionRef, actor: RegistryActor, comment?: string): Promise<VersionRecord> {
    return this.changing(() => this.versions.approve(ref, actor, comment));
  }

  promote(ref: VersionRef, actor: RegistryActor): Promise<VersionRecord> {
    return this.changing(() => this.versions.promote(ref, actor));
  }

  deprecate(ref: VersionRef, actor: RegistryActor): Promise<VersionRecord> {
    return this.changing(() => this.versions.deprecate(ref, actor));
  }

  retire(ref: VersionRef, actor: RegistryActor, reason?: string): Promise<VersionRecord> {
    return this.changing(() => this.versions.retire(ref, actor, reason));
  }

  setAlias(input: { name: string; targets: AliasTargetSpec[]; reason?: string }, actor: RegistryActor): Promise<AliasRecord> {
    return this.changing(() => this.aliases.setAlias(input, actor));
  }

  rollbackAlias(input: { name: string; toRevision?: number; reason?: string }, actor: RegistryActor): Promise<AliasRecord> {
    return this.changing(() => this.aliases.rollbackAlias(input, actor));
  }

  aliasHistory(tenant: string, name: string): Promise<AliasRevisionRecord[]> {
    return this.aliases.history(tenant, name);
  }

  /** One version by reference, or undefined when it does not exist. */
  findVersion(tenant: string, ref: VersionRef): Promise<VersionRecord | undefined> {
    return this.context.repository.findVersion(this.context.dataSource, tenant, ref.model, ref.version);
  }

  listVersions(tenant: string, model?: string): Promise<VersionRecord[]> {
    return this.context.repository.listVersions(this.context.dataSource, tenant, model);
  }

  listAliases(tenant: string): Promise<AliasRecord[]> {
    return this.context.aliasRepository.listAliases(this.context.dataSource, tenant);
  }

  /** Runs a registry act; kept resolutions are dropped when it ends (committed or not), so the next request sees it. */
  private async changing<T>(act: () => Promise<T>): Promise<T> {
    try {
      return await act();
    } finally {
      this.resolver.invalidate();
    }
  }
}
