import type { Role } from '../core/principal';
import type { SqlRunner } from './sql-runner';

export interface DirectoryPrincipalRow {
  id: string;
  kind: 'user' | 'service';
  subject: string;
  displayName: string;
  roles: Role[];
  groups: string[];
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Latest portal session start or activity, or key use; null when never seen. */
  lastSeenAt: Date | null;
  scimUserName: string | null;
  scimGroups: string[];
  activeKeys: number;
  /** The keyset position of this row (`lower(display_name)`), for the next page's cursor. */
  sortName: string;
}

export interface DirectoryGroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  members: number;
  activeMembers: number;
}

/** A group name seen on principals (IdP groups from sign-ins, SCIM groups), with how many principals carry it. */
export interface SeenGroupRow {
  name: string;
  principals: number;
}

export interface PrincipalPageQuery {
  /** Rows after this keyset position (exclusive). */
  after?: { sortName: string; id: string };
  /** Case-insensitive substring of the display name, the stored subject or the SCIM userName. */
  search?: string;
  limit: number;
}

/** `%` and `_` typed by a user are literal characters, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

const PRINCIPAL_PAGE = `
  SELECT p.id, p.kind, p.subject, p.display_name AS "displayName", p.roles, p.groups, p.disabled_at AS "disabledAt",
         p.created_at AS "createdAt", p.updated_at AS "updatedAt", lower(p.display_name) AS "sortName",
         GREATEST((SELECT max(COALESCE(s.last_seen_at, s.created_at)) FROM auth_session s WHERE s.principal_id = p.id),
                  (SELECT max(k.last_used_at) FROM api_key k WHERE k.principal_id = p.id)) AS "lastSeenAt",
         su.user_name AS "scimUserName",
         COALESCE((SELECT array_agg(g.display_name ORDER BY g.display_name)
                   FROM scim_group_member m JOIN scim_group g ON g.id = m.group_id WHERE m.scim_user_id = su.id), '{}') AS "scimGroups",
         (SELECT count(*)::int FROM api_key k
           WHERE k.principal_id = p.id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())) AS "activeKeys"
  FROM principal p LEFT JOIN scim_user su ON su.principal_id = p.id AND su.deleted_at IS NULL
  WHERE p.tenant_id = $1
    AND ($2::text IS NULL OR p.display_name ILIKE $2 OR p.subject ILIKE $2 OR su.user_name ILIKE $2)
    AND ($3::text IS NULL OR (lower(p.display_name), p.id) > ($3::text, $4::uuid))
  ORDER BY lower(p.display_name), p.id
  LIMIT $5`;

/**
 * Read-only views of the tenant's directory for the admin portal: principals (keyset-paged on name and id, never
 * OFFSET), SCIM groups with member counts, and the group names principals carry. Raw SQL like the other identity
 * repositories; nothing here writes.
 */
export class DirectoryRepository {
  constructor(private readonly sql: SqlRunner) {}

  principalPage(tenantId: string, query: PrincipalPageQuery): Promise<DirectoryPrincipalRow[]> {
    return this.sql.query<DirectoryPrincipalRow[]>(PRINCIPAL_PAGE, [
      tenantId,
      query.search ? likePattern(query.search) : null,
      query.after?.sortName ?? null,
      query.after?.id ?? null,
      query.limit,
    ]);
  }

  scimGroups(tenantId: string, limit: number): Promise<DirectoryGroupRow[]> {
    return this.sql.query<DirectoryGroupRow[]>(
      `SELECT g.id, g.display_name AS "displayName", g.external_id AS "externalId", g.created_at AS "createdAt", g.updated_at AS "updatedAt",
              count(u.id)::int AS members, count(u.id) FILTER (WHERE p.disabled_at IS NULL)::int AS "activeMembers"
       FROM scim_group g
       LEFT JOIN scim_group_member m ON m.group_id = g.id
       LEFT JOIN scim_user u ON u.id = m.scim_user_id AND u.deleted_at IS NULL
       LEFT JOIN principal p ON p.id = u.principal_id
       WHERE g.tenant_id = $1
       GROUP BY g.id
       ORDER BY lower(g.display_name), g.id
       LIMIT $2`,
      [tenantId, limit],
    );
  }

  seenGroups(tenantId: string, limit: number): Promise<SeenGroupRow[]> {
    return this.sql.query<SeenGroupRow[]>(
      `SELECT name, count(*)::int AS principals
       FROM principal p CROSS JOIN LATERAL unnest(p.groups) AS name
       WHERE p.tenant_id = $1
       GROUP BY name
       ORDER BY lower(name), name
       LIMIT $2`,
      [tenantId, limit],
    );
  }
}
