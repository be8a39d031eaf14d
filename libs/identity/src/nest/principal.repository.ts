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
  /** For users: the IdP's stable id (the ATTEST_SCIM_LINK_CLAIM claim), which links a SCIM-provisioned principal. */
  idpUserId?: string;
}

/** Principals by (tenant, kind, subject); raw SQL so the CLI needs no entity registration. */
export class PrincipalRepository {
  constructor(private readonly sql: SqlRunner) {}

  /**
   * Creates the principal, or refreshes name, roles and groups of an existing one (the IdP is the source of truth).
   * A user provisioned by SCIM before their first sign-in holds a `scim:` placeholder subject and the IdP's user id:
   * the first sign-in with that id takes the row over, so deactivation through SCIM reaches what the user signs in as.
   */
  async upsert(principal: UpsertPrincipal): Promise<PrincipalRow> {
    const idpUserId = principal.kind === 'user' ? (principal.idpUserId ?? null) : null;
    if (idpUserId !== null) {
      await this.sql.query(
        `UPDATE principal SET subject = $3, updated_at = now()
         WHERE tenant_id = $1 AND kind = 'user' AND idp_user_id = $2 AND subject LIKE 'scim:%'
           AND NOT EXISTS (SELECT 1 FROM principal taken WHERE taken.tenant_id = $1 AND taken.kind = 'user' AND taken.subject = $3)`,
        [principal.tenantId, idpUserId, principal.subject],
      );
    }
    // The id is recorded once, and only where no other row holds it (a row made before SCIM links keeps working).
    const rows = await this.sql.query<PrincipalRow[]>(
      `INSERT INTO principal (tenant_id, kind, subject, display_name, roles, groups, idp_user_id)
       VALUES ($1, $2, $3, $4, $5, $6,
         (SELECT $7::text WHERE NOT EXISTS (SELECT 1 FROM principal held WHERE held.tenant_id = $1 AND held.kind = 'user' AND held.idp_user_id = $7::text)))
       ON CONFLICT (tenant_id, kind, subject)
       DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles, groups = EXCLUDED.groups, updated_at = now(),
         idp_user_id = COALESCE(principal.idp_user_id, EXCLUDED.idp_user_id)
       RETURNING ${COLUMNS}`,
      [principal.tenantId, principal.kind, principal.subject, principal.displayName, principal.roles, principal.groups, idpUserId],
    );
    return onlyRow(rows, 'principal write');
  }

  /** Names of the SCIM groups the user with this IdP user id (SCIM externalId) is a member of; [] when not provisioned. */
  async provisionedGroups(tenantId: string, idpUserId: string): Promise<string[]> {
    const rows = await this.sql.query<{ displayName: string }[]>(
      `SELECT g.display_name AS "displayName"
       FROM scim_user u JOIN scim_group_member m ON m.scim_user_id = u.id JOIN scim_group g ON g.id = m.group_id
       WHERE u.tenant_id = $1 AND u.external_id = $2 AND u.deleted_at IS NULL
       ORDER BY g.display_name`,
      [tenantId, idpUserId],
    );
    return rows.map((row) => row.displayName);
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
