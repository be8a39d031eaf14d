import { PolicyBundle } from '../core/policy-bundle';
import { DataSource, type EntityManager } from 'typeorm';

/** A stored bundle as listed to admins (files omitted). */
export interface StoredBundleSummary {
  id: string;
  sha256: string;
  createdAt: Date;
  activatedAt: Date | null;
  /** Who activated it, when a principal did (null for the CLI, which acts as no principal; its audit event names the operator). */
  activatedBy: { id: string; displayName: string } | null;
  signed: boolean;
}

interface BundleRow {
  id: string;
  sha256: string;
  files: Record<string, string>;
  signature: string | null;
  created_at: Date;
  activated_at: Date | null;
  activated_by?: string | null;
  activated_by_name?: string | null;
}

/** Bundles in the `policy_bundle` table: stored once per tenant and sha256, active = the latest activation. */
export class PolicyBundleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the bundle (idempotent per tenant and sha256) and returns its row id. */
  async save(tenant: string, bundle: PolicyBundle, createdBy: string | null, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO policy_bundle (tenant_id, sha256, files, signature, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, sha256) DO UPDATE SET signature = COALESCE(EXCLUDED.signature, policy_bundle.signature)
       RETURNING id`,
      [tenant, bundle.sha256, JSON.stringify(bundle.files), bundle.signature ?? null, createdBy],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('policy_bundle insert returned no row');
    return id;
  }

  async markActivated(id: string, activatedBy: string | null, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE policy_bundle SET activated_at = clock_timestamp(), activated_by = $2 WHERE id = $1`, [id, activatedBy]);
  }

  /** The sha256 of the tenant's active bundle: a cheap query replicas poll. */
  async activeSha256(tenant: string): Promise<string | undefined> {
    const rows: { sha256: string }[] = await this.dataSource.query(
      `SELECT sha256 FROM policy_bundle WHERE tenant_id = $1 AND activated_at IS NOT NULL ORDER BY activated_at DESC LIMIT 1`,
      [tenant],
    );
    return rows[0]?.sha256;
  }

  async findBySha256(tenant: string, sha256: string): Promise<PolicyBundle | undefined> {
    const rows: BundleRow[] = await this.dataSource.query(
      `SELECT id, sha256, files, signature, created_at, activated_at FROM policy_bundle WHERE tenant_id = $1 AND sha256 = $2`,
      [tenant, sha256],
    );
    const row = rows[0];
    return row ? PolicyBundle.fromFiles(row.files, { signature: row.signature ?? undefined }) : undefined;
  }

  async list(tenant: string): Promise<StoredBundleSummary[]> {
    const rows: BundleRow[] = await this.dataSource.query(
      `SELECT b.id, b.sha256, b.signature, b.created_at, b.activated_at, b.activated_by, p.display_name AS activated_by_name
       FROM policy_bundle b LEFT JOIN principal p ON p.id = b.activated_by WHERE b.tenant_id = $1
       ORDER BY b.activated_at DESC NULLS LAST, b.created_at DESC`,
      [tenant],
    );
    return rows.map((row) => ({
      id: row.id,
      sha256: row.sha256,
      createdAt: row.created_at,
      activatedAt: row.activated_at,
      activatedBy: row.activated_by ? { id: row.activated_by, displayName: row.activated_by_name ?? row.activated_by } : null,
      signed: row.signature !== null,
    }));
  }

  /** IANA time zone of every tenant, for business-hours context. */
  async tenantTimeZones(): Promise<Map<string, string>> {
    const rows: { id: string; time_zone: string }[] = await this.dataSource.query(`SELECT id, time_zone FROM tenant`);
    return new Map(rows.map((row) => [row.id, row.time_zone]));
  }
}
