import type { Role } from '../core/principal';
import { onlyRow, returnedRows, type SqlRunner } from './sql-runner';

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  principalId: string;
  name: string;
  prefix: string;
  secretHash: string;
  roles: Role[];
  modelScopes: string[] | null;
  actionScopes: string[] | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  rotatedFrom: string | null;
}

/** A key joined with the principal that holds it: all authentication needs, in one indexed read. */
export interface ApiKeyWithPrincipal extends ApiKeyRow {
  principalKind: 'user' | 'service';
  principalDisplayName: string;
  principalGroups: string[];
  principalDisabledAt: Date | null;
}

const COLUMNS = `k.id, k.tenant_id AS "tenantId", k.principal_id AS "principalId", k.name, k.prefix, k.secret_hash AS "secretHash",
  k.roles, k.model_scopes AS "modelScopes", k.action_scopes AS "actionScopes", k.created_by AS "createdBy",
  k.created_at AS "createdAt", k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt", k.revoked_by AS "revokedBy",
  k.last_used_at AS "lastUsedAt", k.rotated_from AS "rotatedFrom"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type NewApiKeyRow = Pick<
  ApiKeyRow,
  'tenantId' | 'principalId' | 'name' | 'prefix' | 'secretHash' | 'roles' | 'modelScopes' | 'actionScopes' | 'createdBy' | 'createdAt' | 'expiresAt' | 'rotatedFrom'
>;

/** api_key rows; never holds or returns a key in clear. */
export class ApiKeyRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(row: NewApiKeyRow): Promise<ApiKeyRow> {
    const rows = await this.sql.query<ApiKeyRow[]>(
      `INSERT INTO api_key AS k (tenant_id, principal_id, name, prefix, secret_hash, roles, model_scopes, action_scopes, created_by, expires_at, rotated_from, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       RETURNING ${COLUMNS}`,
      [
        row.tenantId,
        row.principalId,
        row.name,
        row.prefix,
        row.secretHash,
        row.roles,
        row.modelScopes,
        row.actionScopes,
        row.createdBy,
        row.expiresAt,
        row.rotatedFrom,
        row.createdAt,
      ],
    );
    return onlyRow(rows, 'api_key write');
  }

  async findByPrefix(prefix: string): Promise<ApiKeyWithPrincipal | undefined> {
    const rows = await this.sql.query<ApiKeyWithPrincipal[]>(
      `SELECT ${COLUMNS}, p.kind AS "principalKind", p.display_name AS "principalDisplayName", p.groups AS "principalGroups",
              p.disabled_at AS "principalDisabledAt"
       FROM api_key k JOIN principal p ON p.id = k.principal_id
       WHERE k.prefix = $1`,
      [prefix],
    );
    return rows[0];
  }

  /** Locks the row (FOR UPDATE) so a concurrent rotate and revoke of the same key serialise. */
  async findForUpdate(tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.sql.query<ApiKeyRow[]>(`SELECT ${COLUMNS} FROM api_key k WHERE k.tenant_id = $1 AND k.id = $2 FOR UPDATE`, [tenantId, id]);
    return rows[0];
  }

  async list(tenantId: string): Promise<ApiKeyRow[]> {
    return this.sql.query<ApiKeyRow[]>(`SELECT ${COLUMNS} FROM api_key k WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id`, [tenantId]);
  }

  async revoke(id: string, at: Date, revokedBy: string | null, reason: string | null): Promise<ApiKeyRow> {
    const result = await this.sql.query<ApiKeyRow[] | [ApiKeyRow[], number]>(
      `UPDATE api_key k SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE k.id = $1 RETURNING ${COLUMNS}`,
      [id, at, revokedBy, reason],
    );
    return onlyRow(returnedRows(result), 'api_key update');
  }

  async setExpiry(id: string, expiresAt: Date): Promise<ApiKeyRow> {
    const result = await this.sql.query<ApiKeyRow[] | [ApiKeyRow[], number]>(
      `UPDATE api_key k SET expires_at = $2 WHERE k.id = $1 RETURNING ${COLUMNS}`,
      [id, expiresAt],
    );
    return onlyRow(returnedRows(result), 'api_key update');
  }

  /** Conditional, so replicas racing to record the same minute write once at most. */
  async touchLastUsed(id: string, at: Date, minIntervalMs: number): Promise<void> {
    await this.sql.query(
      `UPDATE api_key SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - make_interval(secs => $3::double precision / 1000))`,
      [id, at, minIntervalMs],
    );
  }
}
