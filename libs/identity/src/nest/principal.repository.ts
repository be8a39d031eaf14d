import type { Role } from '../core/principal';
import { onlyRow, type SqlRunner } from './sql-runner';

export interface PrincipalRow {
  id: string;
  tenantId: string;
  kind: 'user' | 'service';
  subject: string;
  displayName: string;
  roles: Role[];
  groups: string[];
  disabledAt: Date | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", kind, subject, display_name AS "displayName", roles, groups, disabled_at AS "disabledAt"`;

export interface UpsertPrincipal {
  tenantId: string;
  kind: 'user' | 'service';
  subject: string;
  displayName: string;
  roles: Role[];
  groups: string[];
}

/** Principals by (tenant, kind, subject); raw SQL so the CLI needs no entity registration. */
export class PrincipalRepository {
  constructor(private readonly sql: SqlRunner) {}

  /** Creates the principal, or refreshes name, roles and groups of an existing one (the IdP is the source of truth). */
  async upsert(principal: UpsertPrincipal): Promise<PrincipalRow> {
    const rows = await this.sql.query<PrincipalRow[]>(
      `INSERT INTO principal (tenant_id, kind, subject, display_name, roles, groups)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, kind, subject)
       DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles, groups = EXCLUDED.groups, updated_at = now()
       RETURNING ${COLUMNS}`,
      [principal.tenantId, principal.kind, principal.subject, principal.displayName, principal.roles, principal.groups],
    );
    return onlyRow(rows, 'principal write');
  }

  /** A service principal for API keys: created once, its roles widened to cover every key it holds. */
  ensureService(tenantId: string, subject: string, displayName: string, roles: Role[]): Promise<PrincipalRow> {
    return this.ensureKeyHolder('service', tenantId, subject, displayName, roles);
  }

  /** A person who holds API keys of their own (`local:` subjects never collide with an IdP's issuer-qualified ones). */
  ensurePerson(tenantId: string, subject: string, displayName: string, roles: Role[]): Promise<PrincipalRow> {
    return this.ensureKeyHolder('user', tenantId, `local:${subject}`, displayName, roles);
  }

  private async ensureKeyHolder(kind: 'user' | 'service', tenantId: string, subject: string, displayName: string, roles: Role[]): Promise<PrincipalRow> {
    const rows = await this.sql.query<PrincipalRow[]>(
      `INSERT INTO principal (tenant_id, kind, subject, display_name, roles)
       VALUES ($1, $5, $2, $3, $4)
       ON CONFLICT (tenant_id, kind, subject)
       DO UPDATE SET roles = ARRAY(SELECT DISTINCT unnest(principal.roles || EXCLUDED.roles)), updated_at = now()
       RETURNING ${COLUMNS}`,
      [tenantId, subject, displayName, roles, kind],
    );
    return onlyRow(rows, 'principal write');
  }

  async findById(id: string): Promise<PrincipalRow | undefined> {
    const rows = await this.sql.query<PrincipalRow[]>(`SELECT ${COLUMNS} FROM principal WHERE id = $1`, [id]);
    return rows[0];
  }

  /** True once anyone could sign in: a key exists, or an admin principal does. */
  async anyAdminOrKeyExists(): Promise<boolean> {
    const rows = await this.sql.query<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM api_key) OR EXISTS (SELECT 1 FROM principal WHERE 'admin' = ANY(roles)) AS found`,
    );
    return rows[0]?.found === true;
  }
}
