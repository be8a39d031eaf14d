import type { GgufMetadata } from '../core/gguf/gguf-reader';
import type { VersionStatus } from '../core/lifecycle';
import type { Deployment, ModelSource, SamplingLimits } from '../core/resolved-model';

/** Anything that runs SQL: the DataSource, or a transaction's EntityManager. */
export interface Queryable {
  // TypeORM types query results as any; every caller names the row type it expects.
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export async function rows<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, parameters)) as T[];
}

export interface LoraAdapterRecord {
  name: string;
  path: string;
  sha256: string;
  size: number;
  scale: number;
}

/** One model version as the registry keeps it (the database row, camel-cased). */
export interface VersionRecord {
  id: string;
  tenant: string;
  modelId: string;
  model: string;
  version: number;
  status: VersionStatus;
  source: ModelSource;
  sha256: string | null;
  size: number | null;
  gguf: GgufMetadata | null;
  licence: string | null;
  deployment: Deployment;
  audience: string;
  domain: string;
  dataClassification: string;
  samplingLimits: SamplingLimits;
  card: string;
  registeredBy: string;
  approvedBy: string | null;
  approvedAt: Date | null;
  createdAt: Date;
  statusChangedAt: Date;
  statusChangedBy: string | null;
  loraAdapters: LoraAdapterRecord[];
}

export interface AliasTargetRecord {
  versionId: string;
  model: string;
  version: number;
  weight: number;
}

export interface AliasRecord {
  id: string;
  tenant: string;
  name: string;
  targets: AliasTargetRecord[];
  revision: number;
  updatedBy: string | null;
  updatedAt: Date;
  createdAt: Date;
}

export interface AliasRevisionRecord {
  revision: number;
  targets: AliasTargetRecord[];
  actor: string;
  reason: string;
  restoredRevision: number | null;
  createdAt: Date;
}
