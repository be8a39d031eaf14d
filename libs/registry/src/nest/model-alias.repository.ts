import { rows, type AliasRecord, type AliasRevisionRecord, type AliasTargetRecord, type Queryable } from './registry-records';

interface AliasRow {
  id: string;
  tenant_id: string;
  name: string;
  targets: AliasTargetRecord[];
  revision: number;
  updated_by_actor: string | null;
  updated_at: Date;
  created_at: Date;
}

function toAlias(row: AliasRow): AliasRecord {
  return {
    id: row.id,
    tenant: row.tenant_id,
    name: row.name,
    targets: row.targets,
    revision: row.revision,
    updatedBy: row.updated_by_actor,
    updatedAt: row.updated_at,
    createdAt: row.created_at,
  };
}

/** Alias SQL: current routing, its revisions, and which names can serve; every method takes the connection or transaction. */
export class ModelAliasRepository {
  async findAlias(db: Queryable, tenant: string, name: string, lock = false): Promise<AliasRecord | undefined> {
    const [row] = await rows<AliasRow>(
      db,
      `SELECT id, tenant_id, name, targets, revision, updated_by_actor, updated_at, created_at FROM model_alias
       WHERE tenant_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
      [tenant, name],
    );
    return row && toAlias(row);
  }

  async listAliases(db: Queryable, tenant: string): Promise<AliasRecord[]> {
    const result = await rows<AliasRow>(
      db,
      `SELECT id, tenant_id, name, targets, revision, updated_by_actor, updated_at, created_at FROM model_alias WHERE tenant_id = $1 ORDER BY name`,
      [tenant],
    );
    return result.map(toAlias);
  }

  /** Writes the alias's new targets as its next revision, with the history row that makes rollback possible. */
  async writeAlias(
    db: Queryable,
    change: { tenant: string; name: string; targets: AliasTargetRecord[]; actor: string; principalId: string | null; reason: string; restoredRevision: number | null },
  ): Promise<AliasRecord> {
    const targets = JSON.stringify(change.targets);
    const [row] = await rows<AliasRow>(
      db,
      `INSERT INTO model_alias (tenant_id, name, targets, revision, updated_by_actor, updated_by)
       VALUES ($1, $2, $3, 1, $4, (SELECT id FROM principal WHERE id = $5::uuid))
       ON CONFLICT (tenant_id, name) DO UPDATE SET targets = EXCLUDED.targets, revision = model_alias.revision + 1,
         updated_by_actor = EXCLUDED.updated_by_actor, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING id, tenant_id, name, targets, revision, updated_by_actor, updated_at, created_at`,
      [change.tenant, change.name, targets, change.actor, change.principalId],
    );
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    await db.query(
      `INSERT INTO model_alias_history (alias_id, revision, targets, actor, principal_id, reason, restored_revision)
       VALUES ($1, $2, $3, $4, (SELECT id FROM principal WHERE id = $5::uuid), $6, $7)`,
      [row.id, row.revision, targets, change.actor, change.principalId, change.reason, change.restoredRevision],
    );
    return toAlias(row);
  }

  async aliasHistory(db: Queryable, aliasId: string): Promise<AliasRevisionRecord[]> {
    const result = await rows<{ revision: number; targets: AliasTargetRecord[]; actor: string; reason: string; restored_revision: number | null; created_at: Date }>(
      db,
      `SELECT revision, targets, actor, reason, restored_revision, created_at FROM model_alias_history WHERE alias_id = $1 ORDER BY revision`,
      [aliasId],
    );
    return result.map((row) => ({ revision: row.revision, targets: row.targets, actor: row.actor, reason: row.reason, restoredRevision: row.restored_revision, createdAt: row.created_at }));
  }

  async aliasesTargeting(db: Queryable, versionId: string): Promise<string[]> {
    const result = await rows<{ name: string }>(
      db,
      `SELECT name FROM model_alias WHERE targets @> jsonb_build_array(jsonb_build_object('versionId', $1::text)) ORDER BY name`,
      [versionId],
    );
    return result.map((row) => row.name);
  }

  /** Names a client may put in `model`: aliases with a servable target, and models with an active version. */
  async servableNames(db: Queryable, tenant: string): Promise<{ name: string; createdAt: Date }[]> {
    return rows<{ name: string; createdAt: Date }>(
      db,
      `SELECT a.name, a.created_at AS "createdAt" FROM model_alias a
       WHERE a.tenant_id = $1 AND EXISTS (
         SELECT 1 FROM jsonb_array_elements(a.targets) t JOIN model_version v ON v.id = (t->>'versionId')::uuid
         WHERE (t->>'weight')::int > 0 AND v.status IN ('approved', 'active', 'deprecated'))
       UNION
       SELECT m.name, m.created_at FROM model m
       WHERE m.tenant_id = $1 AND EXISTS (SELECT 1 FROM model_version v WHERE v.model_id = m.id AND v.status = 'active')
         AND NOT EXISTS (SELECT 1 FROM model_alias a WHERE a.tenant_id = $1 AND a.name = m.name)
       ORDER BY 1`,
      [tenant],
    );
  }
}
