import type { GgufMetadata } from '../core/gguf/gguf-reader';
import type { VersionStatus } from '../core/lifecycle';
import type { Deployment, ModelSource, SamplingLimits } from '../core/resolved-model';
import { rows, type LoraAdapterRecord, type Queryable, type VersionRecord } from './registry-records';

const VERSION_SELECT = `
  SELECT v.id, m.tenant_id AS tenant, m.id AS model_id, m.name AS model, v.version, v.status, v.source,
    v.file_sha256, v.file_size, v.gguf_metadata, v.licence, v.deployment, v.audience, v.domain, v.data_classification,
    v.sampling_limits, v.card, v.registered_by_actor, v.approved_by_actor, v.approved_at, v.created_at,
    v.status_changed_at, v.status_changed_by_actor,
    COALESCE((SELECT json_agg(json_build_object('name', a.name, 'path', a.path, 'sha256', a.sha256, 'size', a.size,
      'scale', a.scale) ORDER BY a.name) FROM model_lora_adapter a WHERE a.model_version_id = v.id), '[]') AS lora_adapters
  FROM model_version v JOIN model m ON m.id = v.model_id`;

interface VersionRow {
  id: string;
  tenant: string;
  model_id: string;
  model: string;
  version: number;
  status: VersionStatus;
  source: ModelSource;
  file_sha256: string | null;
  file_size: string | null;
  gguf_metadata: GgufMetadata | null;
  licence: string | null;
  deployment: Deployment;
  audience: string;
  domain: string;
  data_classification: string;
  sampling_limits: SamplingLimits;
  card: string;
  registered_by_actor: string;
  approved_by_actor: string | null;
  approved_at: Date | null;
  created_at: Date;
  status_changed_at: Date;
  status_changed_by_actor: string | null;
  lora_adapters: LoraAdapterRecord[];
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    modelId: row.model_id,
    model: row.model,
    version: row.version,
    status: row.status,
    source: row.source,
    sha256: row.file_sha256,
    size: row.file_size === null ? null : Number(row.file_size),
    gguf: row.gguf_metadata,
    licence: row.licence,
    deployment: row.deployment,
    audience: row.audience,
    domain: row.domain,
    dataClassification: row.data_classification,
    samplingLimits: row.sampling_limits,
    card: row.card,
    registeredBy: row.registered_by_actor,
    approvedBy: row.approved_by_actor,
    approvedAt: row.approved_at,
    createdAt: row.created_at,
    statusChangedAt: row.status_changed_at,
    statusChangedBy: row.status_changed_by_actor,
    loraAdapters: row.lora_adapters,
  };
}

/** A version row to insert: the record's defining fields, before the database assigns ids and timestamps. */
export type NewVersion = Pick<
  VersionRecord,
  | 'modelId'
  | 'version'
  | 'status'
  | 'source'
  | 'sha256'
  | 'size'
  | 'gguf'
  | 'licence'
  | 'deployment'
  | 'audience'
  | 'domain'
  | 'dataClassification'
  | 'samplingLimits'
  | 'card'
  | 'registeredBy'
> & {
  registeredByPrincipal: string | null;
  /** Only for versions inserted already approved (the built-in model). */
  approvedBy?: string;
};

/** Model and version SQL (aliases: ModelAliasRepository); every method takes the connection or transaction to run on. */
export class ModelRegistryRepository {
  async countVersions(db: Queryable): Promise<number> {
    const [row] = await rows<{ count: string }>(db, `SELECT count(*) AS count FROM model_version`);
    return Number(row?.count ?? 0);
  }

  /** Creates the model on first use; `created` tells whether it is new. */
  async ensureModel(db: Queryable, tenant: string, name: string): Promise<{ id: string; created: boolean }> {
    const [row] = await rows<{ id: string; created: boolean }>(
      db,
      `INSERT INTO model (tenant_id, name) VALUES ($1, $2)
       ON CONFLICT (tenant_id, name) DO UPDATE SET name = EXCLUDED.name
       RETURNING id, (xmax = 0) AS created`,
      [tenant, name],
    );
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    return row;
  }

  async nextVersionNumber(db: Queryable, modelId: string): Promise<number> {
    const [row] = await rows<{ next: number }>(db, `SELECT COALESCE(max(version), 0) + 1 AS next FROM model_version WHERE model_id = $1`, [modelId]);
    return row?.next ?? 1;
  }

  async insertVersion(db: Queryable, version: NewVersion): Promise<string> {
    const approved = version.approvedBy !== undefined;
    const [row] = await rows<{ id: string }>(
      db,
      `INSERT INTO model_version (model_id, version, status, source_kind, source, file_sha256, file_size, gguf_metadata,
         licence, deployment, audience, domain, data_classification, sampling_limits, card, registered_by_actor,
         registered_by, approved_by_actor, approved_at, status_changed_by_actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
         (SELECT id FROM principal WHERE id = $17::uuid), $18, CASE WHEN $18::text IS NULL THEN NULL ELSE now() END, $16)
       RETURNING id`,
      [
        version.modelId,
        version.version,
        version.status,
        version.source.kind,
        JSON.stringify(version.source),
        version.sha256,
        version.size,
        version.gguf === null ? null : JSON.stringify(version.gguf),
        version.licence,
        version.deployment,
        version.audience,
        version.domain,
        version.dataClassification,
        JSON.stringify(version.samplingLimits),
        version.card,
        version.registeredBy,
        version.registeredByPrincipal,
        approved ? version.approvedBy : null,
      ],
    );
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    return row.id;
  }

  async insertAdapter(db: Queryable, versionId: string, adapter: LoraAdapterRecord, gguf: GgufMetadata | null): Promise<void> {
    await db.query(
      `INSERT INTO model_lora_adapter (model_version_id, name, path, sha256, size, scale, gguf_metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [versionId, adapter.name, adapter.path, adapter.sha256, adapter.size, adapter.scale, gguf === null ? null : JSON.stringify(gguf)],
    );
  }

  async findVersion(db: Queryable, tenant: string, model: string, version: number): Promise<VersionRecord | undefined> {
    const [row] = await rows<VersionRow>(db, `${VERSION_SELECT} WHERE m.tenant_id = $1 AND m.name = $2 AND v.version = $3`, [tenant, model, version]);
    return row && toVersion(row);
  }

  /** Locks the version row for the rest of the transaction (status changes serialise on it). */
  async lockVersion(db: Queryable, tenant: string, model: string, version: number): Promise<VersionRecord | undefined> {
    await db.query(
      `SELECT v.id FROM model_version v JOIN model m ON m.id = v.model_id
       WHERE m.tenant_id = $1 AND m.name = $2 AND v.version = $3 FOR UPDATE OF v`,
      [tenant, model, version],
    );
    return this.findVersion(db, tenant, model, version);
  }

  async findVersionsByIds(db: Queryable, ids: readonly string[]): Promise<VersionRecord[]> {
    if (ids.length === 0) return [];
    return (await rows<VersionRow>(db, `${VERSION_SELECT} WHERE v.id = ANY($1::uuid[])`, [ids])).map(toVersion);
  }

  /** The model's highest active version, or undefined with `exists` telling whether the model has any version. */
  async findLatestActive(db: Queryable, tenant: string, model: string): Promise<{ version?: VersionRecord; exists: boolean }> {
    const [row] = await rows<VersionRow>(
      db,
      `${VERSION_SELECT} WHERE m.tenant_id = $1 AND m.name = $2 AND v.status = 'active' ORDER BY v.version DESC LIMIT 1`,
      [tenant, model],
    );
    if (row) return { version: toVersion(row), exists: true };
    const [any] = await rows<{ id: string }>(db, `SELECT v.id FROM model_version v JOIN model m ON m.id = v.model_id WHERE m.tenant_id = $1 AND m.name = $2 LIMIT 1`, [tenant, model]);
    return { exists: any !== undefined };
  }

  async listVersions(db: Queryable, tenant: string, model?: string): Promise<VersionRecord[]> {
    const filter = model === undefined ? '' : ' AND m.name = $2';
    const parameters = model === undefined ? [tenant] : [tenant, model];
    return (await rows<VersionRow>(db, `${VERSION_SELECT} WHERE m.tenant_id = $1${filter} ORDER BY m.name, v.version`, parameters)).map(toVersion);
  }

  async updateStatus(db: Queryable, id: string, status: VersionStatus, actor: string): Promise<void> {
    await db.query(`UPDATE model_version SET status = $2, status_changed_at = now(), status_changed_by_actor = $3 WHERE id = $1`, [id, status, actor]);
  }

  async markApproved(db: Queryable, id: string, actor: string, principalId: string | null, roles: readonly string[], comment: string): Promise<void> {
    await db.query(
      `UPDATE model_version SET status = 'approved', approved_by_actor = $2, approved_by = (SELECT id FROM principal WHERE id = $3::uuid),
         approved_at = now(), status_changed_at = now(), status_changed_by_actor = $2 WHERE id = $1`,
      [id, actor, principalId],
    );
    await this.insertApproval(db, id, actor, principalId, roles, comment);
  }

  async insertApproval(db: Queryable, versionId: string, actor: string, principalId: string | null, roles: readonly string[], comment: string): Promise<void> {
    await db.query(
      `INSERT INTO model_version_approval (model_version_id, decision, actor, principal_id, roles, comment)
       VALUES ($1, 'approved', $2, (SELECT id FROM principal WHERE id = $3::uuid), $4, $5)`,
      [versionId, actor, principalId, roles, comment],
    );
  }
}
