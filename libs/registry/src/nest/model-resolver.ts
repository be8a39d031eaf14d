import { pickWeighted } from '../core/alias-routing';
import { resolveStoredPath } from '../core/builtin-model';
import { servesDirectly, servesThroughAlias } from '../core/lifecycle';
import { parseRequestedModel } from '../core/model-reference';
import { RegistryError, RegistryErrorCode } from '../core/registry.errors';
import type { ResolvedModel } from '../core/resolved-model';
import type { RegistryContext } from './registry-context';
import type { AliasRecord, VersionRecord } from './registry-records';
import { DEFAULT_RESOLUTION_CACHE_MS, ResolutionCache } from './resolution-cache';

/** An entry of GET /v1/models. */
export interface ServableModel {
  id: string;
  /** Unix seconds. */
  created: number;
  ownedBy: string;
}

/** What a name resolves to before the per-request pick: one version, or an alias's servable targets and weights. */
type Resolution =
  | { kind: 'version'; resolved: ResolvedModel }
  | { kind: 'alias'; alias: AliasRecord; candidates: { version: VersionRecord; weight: number }[] };

/**
 * Answers "which version serves this request?": `name@3` pins a version; otherwise an alias (weighted pick among its
 * servable targets) wins over a model name (its highest active version). Read-only: two small queries, kept for a
 * second ({@link ResolutionCache}; the registry's own acts clear it), and the canary pick made on every request.
 */
export class ModelResolver {
  private readonly cache: ResolutionCache<Resolution>;

  constructor(
    private readonly context: RegistryContext,
    cacheMs: number = DEFAULT_RESOLUTION_CACHE_MS,
  ) {
    this.cache = new ResolutionCache(cacheMs);
  }

  async resolve(tenant: string, requested: string): Promise<ResolvedModel> {
    const resolution = await this.cache.get(`${tenant}\u0000${requested}`, () => this.lookUp(tenant, requested));
    if (resolution.kind === 'version') return { ...resolution.resolved };
    const picked = pickWeighted(resolution.candidates, this.context.random);
    if (!picked) throw notServable(`alias ${resolution.alias.name} routes to no servable version`);
    return { ...this.toResolved(requested, picked.version), alias: resolution.alias.name, aliasRevision: resolution.alias.revision };
  }

  /** Forgets every kept resolution: the registry changed. */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookUp(tenant: string, requested: string): Promise<Resolution> {
    const parsed = parseRequestedModel(requested);
    const { repository, aliasRepository, dataSource } = this.context;
    if (parsed.kind === 'pinned') {
      const version = await repository.findVersion(dataSource, tenant, parsed.model, parsed.version);
      if (!version) throw notFound(requested);
      if (!servesDirectly(version.status)) throw notServable(`${requested} is ${version.status}`);
      return { kind: 'version', resolved: this.toResolved(requested, version) };
    }
    const alias = await aliasRepository.findAlias(dataSource, tenant, parsed.name);
    if (alias) return this.aliasResolution(alias);
    const latest = await repository.findLatestActive(dataSource, tenant, parsed.name);
    if (latest.version) return { kind: 'version', resolved: this.toResolved(requested, latest.version) };
    if (!latest.exists) throw notFound(requested);
    throw notServable(`${requested} has no active version`);
  }

  async listServable(tenant: string): Promise<ServableModel[]> {
    const names = await this.context.aliasRepository.servableNames(this.context.dataSource, tenant);
    return names.map((entry) => ({ id: entry.name, created: Math.floor(entry.createdAt.getTime() / 1000), ownedBy: tenant }));
  }

  private async aliasResolution(alias: AliasRecord): Promise<Resolution> {
    const versions = await this.context.repository.findVersionsByIds(this.context.dataSource, alias.targets.map((target) => target.versionId));
    const candidates = alias.targets.flatMap((target) => {
      const version = versions.find((candidate) => candidate.id === target.versionId);
      return version && servesThroughAlias(version.status) ? [{ version, weight: target.weight }] : [];
    });
    return { kind: 'alias', alias, candidates };
  }

  private toResolved(requested: string, version: VersionRecord): ResolvedModel {
    const builtin = this.context.builtinModelPath;
    const source = version.source.kind === 'local_gguf' ? { kind: 'local_gguf' as const, path: resolveStoredPath(version.source.path, builtin), ...(version.sha256 ? { sha256: version.sha256 } : {}) } : version.source;
    return {
      requested,
      tenant: version.tenant,
      modelName: version.model,
      version: version.version,
      versionId: version.id,
      sha256: version.sha256,
      source,
      deployment: version.deployment,
      audience: version.audience,
      domain: version.domain,
      dataClassification: version.dataClassification,
      samplingLimits: version.samplingLimits,
      ...(version.gguf?.contextLength === undefined ? {} : { contextLength: version.gguf.contextLength }),
      ...(version.gguf?.chatTemplate === undefined ? {} : { chatTemplate: version.gguf.chatTemplate }),
      status: version.status,
      deprecated: version.status === 'deprecated',
      licence: version.licence,
      loraAdapters: version.loraAdapters.map((adapter) => ({ name: adapter.name, path: adapter.path, sha256: adapter.sha256, scale: adapter.scale })),
    };
  }
}

function notFound(requested: string): RegistryError {
  return new RegistryError(RegistryErrorCode.ModelNotFound, `The model '${requested}' does not exist.`);
}

function notServable(why: string): RegistryError {
  return new RegistryError(RegistryErrorCode.NotServable, `${why}: it cannot serve requests.`);
}
