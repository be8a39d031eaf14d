import type { Role } from '../../core/principal';
import type { ScimFilter } from '../../core/scim/scim-filter';
import type { ScimGroupRecord, ScimGroupState } from '../../core/scim/scim-group';
import type { ScimUserRecord, ScimUserState } from '../../core/scim/scim-user';
import { onlyRow, returnedRows, type SqlRunner } from '../sql-runner';
import { filterSql, GROUP_FILTER, USER_FILTER } from './scim-filter-sql';

interface UserRow {
  id: string;
  principalId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  profile: Record<string, unknown>;
  active: boolean;
  created: Date;
  lastModified: Date;
  groups: { id: string; displayName: string }[];
}

interface GroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  created: Date;
  lastModified: Date;
  members: { id: string; display: string }[];
}

/** A provisioned user with the principal it stands for. */
export type StoredScimUser = ScimUserRecord & { principalId: string };

export interface PrincipalGroupsRow {
  id: string;
  groups: string[];
  roles: Role[];
}

const USER_SELECT = `
  SELECT u.id, u.principal_id AS "principalId", u.user_name AS "userName", u.external_id AS "externalId",
         u.display_name AS "displayName", u.profile, (p.disabled_at IS NULL) AS active,
         u.created_at AS "created", u.updated_at AS "lastModified",
         COALESCE((SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name)
                   FROM scim_group_member m JOIN scim_group g ON g.id = m.group_id WHERE m.scim_user_id = u.id), '[]'::json) AS groups
  FROM scim_user u JOIN principal p ON p.id = u.principal_id`;

const GROUP_SELECT = `
  SELECT g.id, g.display_name AS "displayName", g.external_id AS "externalId", g.created_at AS "created", g.updated_at AS "lastModified",
         COALESCE((SELECT json_agg(json_build_object('id', u.id, 'display', COALESCE(u.display_name, u.user_name)) ORDER BY u.created_at, u.id)
                   FROM scim_group_member m JOIN scim_user u ON u.id = m.scim_user_id WHERE m.group_id = g.id), '[]'::json) AS members
  FROM scim_group g`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toUser(row: UserRow): StoredScimUser {
  const { userName, externalId, displayName, profile, active, groups, id, principalId, created, lastModified } = row;
  return { id, principalId, state: { userName, externalId, displayName, active, profile }, groups, created, lastModified };
}

function toGroup(row: GroupRow): ScimGroupRecord {
  const { id, displayName, externalId, created, lastModified, members } = row;
  return { id, state: { displayName, externalId, memberIds: members.map((member) => member.id) }, members, created, lastModified };
}

/** scim_user, scim_group and their membership; raw SQL like the other identity repositories. */
export class ScimRepository {
  constructor(private readonly sql: SqlRunner) {}

  async findUser(tenantId: string, id: string): Promise<StoredScimUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.sql.query<UserRow[]>(`${USER_SELECT} WHERE u.tenant_id = $1 AND u.id = $2 AND u.deleted_at IS NULL`, [tenantId, id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async listUsers(tenantId: string, filter: ScimFilter | null, offset: number, limit: number): Promise<{ total: number; users: StoredScimUser[] }> {
    const parameters: unknown[] = [tenantId];
    const where = `u.tenant_id = $1 AND u.deleted_at IS NULL${filter ? ` AND ${filterSql(filter, USER_FILTER, parameters)}` : ''}`;
    const [counted] = await this.sql.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM scim_user u JOIN principal p ON p.id = u.principal_id WHERE ${where}`,
      parameters,
    );
    if (limit === 0) return { total: counted?.total ?? 0, users: [] };
    const rows = await this.sql.query<UserRow[]>(
      `${USER_SELECT} WHERE ${where} ORDER BY u.created_at, u.id OFFSET ${offset} LIMIT ${limit}`,
      parameters,
    );
    return { total: counted?.total ?? 0, users: rows.map(toUser) };
  }

  /**
   * A principal a new SCIM user should take over instead of a fresh one: the user signed in before being provisioned
   * (their sign-in recorded the IdP user id, or, for rows older than that, their subject is `oidc:<issuer>#<id>`).
   */
  async findAdoptablePrincipal(tenantId: string, idpUserId: string, legacySubject: string | null): Promise<{ id: string } | undefined> {
    const rows = await this.sql.query<{ id: string }[]>(
      `SELECT p.id FROM principal p
       WHERE p.tenant_id = $1 AND p.kind = 'user' AND (p.idp_user_id = $2 OR p.subject = $3)
         AND NOT EXISTS (SELECT 1 FROM scim_user s WHERE s.principal_id = p.id AND s.deleted_at IS NULL)
       ORDER BY (p.idp_user_id = $2) DESC NULLS LAST LIMIT 1
       FOR UPDATE OF p`,
      [tenantId, idpUserId, legacySubject],
    );
    return rows[0];
  }

  /** Whether another live user holds this userName (case-insensitive) or externalId; the unique indexes back this up. */
  async userTaken(tenantId: string, state: ScimUserState, exceptId: string | null): Promise<boolean> {
    const rows = await this.sql.query<unknown[]>(
      `SELECT 1 FROM scim_user WHERE tenant_id = $1 AND deleted_at IS NULL AND id IS DISTINCT FROM $4::uuid
         AND (lower(user_name) = lower($2) OR external_id = $3) LIMIT 1`,
      [tenantId, state.userName, state.externalId, exceptId],
    );
    return rows.length > 0;
  }

  /** Whether another group has this displayName (case-insensitive). */
  async groupNameTaken(tenantId: string, displayName: string, exceptId: string | null): Promise<boolean> {
    const rows = await this.sql.query<unknown[]>(
      `SELECT 1 FROM scim_group WHERE tenant_id = $1 AND lower(display_name) = lower($2) AND id IS DISTINCT FROM $3::uuid LIMIT 1`,
      [tenantId, displayName, exceptId],
    );
    return rows.length > 0;
  }

  /** A principal for a user nobody has signed in as yet; its first sign-in replaces the `scim:` subject (see upsert). */
  async insertPrincipal(tenantId: string, displayName: string, idpUserId: string | null): Promise<string> {
    const rows = await this.sql.query<{ id: string }[]>(
      `INSERT INTO principal (tenant_id, kind, subject, display_name, idp_user_id)
       VALUES ($1, 'user', 'scim:' || gen_random_uuid()::text, $2, $3) RETURNING id`,
      [tenantId, displayName, idpUserId],
    );
    return onlyRow(rows, 'principal insert').id;
  }

  /** Name and IdP user id of the principal follow the SCIM user. */
  async updatePrincipal(principalId: string, displayName: string, idpUserId: string | null): Promise<void> {
    await this.sql.query(
      `UPDATE principal SET display_name = $2, idp_user_id = COALESCE($3, idp_user_id), updated_at = now() WHERE id = $1`,
      [principalId, displayName, idpUserId],
    );
  }

  /**
   * Creates the SCIM user, or revives the deleted one of the same principal under a new SCIM id; undefined when the
   * principal has a live SCIM user already (a concurrent create).
   */
  async upsertUser(tenantId: string, principalId: string, state: ScimUserState): Promise<string | undefined> {
    const rows = await this.sql.query<{ id: string }[]>(
      `INSERT INTO scim_user (tenant_id, principal_id, user_name, external_id, display_name, profile)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (principal_id) DO UPDATE SET id = gen_random_uuid(), user_name = EXCLUDED.user_name, external_id = EXCLUDED.external_id,
         display_name = EXCLUDED.display_name, profile = EXCLUDED.profile, created_at = now(), updated_at = now(), deleted_at = NULL
       WHERE scim_user.deleted_at IS NOT NULL
       RETURNING id`,
      [tenantId, principalId, state.userName, state.externalId, state.displayName, JSON.stringify(state.profile)],
    );
    return rows[0]?.id;
  }

  async updateUser(id: string, state: ScimUserState): Promise<void> {
    await this.sql.query(
      `UPDATE scim_user SET user_name = $2, external_id = $3, display_name = $4, profile = $5::jsonb, updated_at = now() WHERE id = $1`,
      [id, state.userName, state.externalId, state.displayName, JSON.stringify(state.profile)],
    );
  }

  async touchUser(id: string): Promise<void> {
    await this.sql.query(`UPDATE scim_user SET updated_at = now() WHERE id = $1`, [id]);
  }

  /** Drops the user's memberships; returns the names of the groups it left. */
  async leaveAllGroups(id: string): Promise<string[]> {
    const left = returnedRows(
      await this.sql.query<{ name: string }[] | [{ name: string }[], number]>(
        `DELETE FROM scim_group_member m USING scim_group g WHERE m.group_id = g.id AND m.scim_user_id = $1 RETURNING g.display_name AS name`,
        [id],
      ),
    );
    return left.map((row) => row.name);
  }

  /** Its SCIM id answers 404 from now on, and its userName and externalId are free again. */
  async markUserDeleted(id: string): Promise<void> {
    await this.sql.query(`UPDATE scim_user SET deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  /** The principals of live SCIM users, locked for the groups/roles update a membership change makes. */
  async principalsOf(userIds: readonly string[]): Promise<Map<string, PrincipalGroupsRow>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.sql.query<(PrincipalGroupsRow & { userId: string })[]>(
      `SELECT u.id AS "userId", p.id, p.groups, p.roles FROM scim_user u JOIN principal p ON p.id = u.principal_id
       WHERE u.id = ANY($1::uuid[]) AND u.deleted_at IS NULL ORDER BY p.id FOR UPDATE OF p`,
      [userIds],
    );
    return new Map(rows.map(({ userId, ...principal }) => [userId, principal]));
  }

  async setPrincipalGroups(principalId: string, groups: string[], roles: Role[]): Promise<void> {
    await this.sql.query(`UPDATE principal SET groups = $2, roles = $3, updated_at = now() WHERE id = $1`, [principalId, groups, roles]);
  }

  async findGroup(tenantId: string, id: string): Promise<ScimGroupRecord | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.sql.query<GroupRow[]>(`${GROUP_SELECT} WHERE g.tenant_id = $1 AND g.id = $2`, [tenantId, id]);
    return rows[0] ? toGroup(rows[0]) : undefined;
  }

  async listGroups(tenantId: string, filter: ScimFilter | null, offset: number, limit: number): Promise<{ total: number; groups: ScimGroupRecord[] }> {
    const parameters: unknown[] = [tenantId];
    const where = `g.tenant_id = $1${filter ? ` AND ${filterSql(filter, GROUP_FILTER, parameters)}` : ''}`;
    const [counted] = await this.sql.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM scim_group g WHERE ${where}`, parameters);
    if (limit === 0) return { total: counted?.total ?? 0, groups: [] };
    const rows = await this.sql.query<GroupRow[]>(`${GROUP_SELECT} WHERE ${where} ORDER BY g.created_at, g.id OFFSET ${offset} LIMIT ${limit}`, parameters);
    return { total: counted?.total ?? 0, groups: rows.map(toGroup) };
  }

  async insertGroup(tenantId: string, state: ScimGroupState): Promise<string> {
    const rows = await this.sql.query<{ id: string }[]>(
      `INSERT INTO scim_group (tenant_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING id`,
      [tenantId, state.displayName, state.externalId],
    );
    return onlyRow(rows, 'scim_group insert').id;
  }

  async updateGroup(id: string, state: ScimGroupState): Promise<void> {
    await this.sql.query(`UPDATE scim_group SET display_name = $2, external_id = $3, updated_at = now() WHERE id = $1`, [id, state.displayName, state.externalId]);
  }

  async deleteGroup(id: string): Promise<void> {
    await this.sql.query(`DELETE FROM scim_group WHERE id = $1`, [id]);
  }

  /** Which of these ids are live users of the tenant (members must be). */
  async liveUserIds(tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.sql.query<{ id: string }[]>(
      `SELECT id FROM scim_user WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [tenantId, ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async addMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.sql.query(
      `INSERT INTO scim_group_member (group_id, scim_user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [groupId, userIds],
    );
  }

  async removeMembers(groupId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.sql.query(`DELETE FROM scim_group_member WHERE group_id = $1 AND scim_user_id = ANY($2::uuid[])`, [groupId, userIds]);
  }
}
