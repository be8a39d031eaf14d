import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { ForbiddenException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AuditEventFilter, filterDetails } from './audit-event-filter';

export interface SavedSearch {
  name: string;
  filter: AuditEventFilter;
  createdAt: string;
  updatedAt: string;
}

interface SavedSearchRow {
  name: string;
  filter: AuditEventFilter;
  created_at: Date;
  updated_at: Date;
}

/** Enough for any auditor's habits; a bound keeps one account from filling the table. */
export const MAX_SAVED_SEARCHES = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function savedSearchOf(row: SavedSearchRow): SavedSearch {
  return { name: row.name, filter: row.filter, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

/**
 * An auditor's own saved searches of the audit console: each person sees, applies and deletes only theirs. Saving and
 * deleting are recorded in the audit log in the same transaction as the change (no record, no change).
 */
@Injectable()
export class SavedSearchService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: AuditActor): Promise<SavedSearch[]> {
    const rows: SavedSearchRow[] = await this.dataSource.query(
      `SELECT name, filter, created_at, updated_at FROM saved_search WHERE owner_id = $1 AND tenant_id = $2 ORDER BY name`,
      [ownerOf(actor), actor.tenant],
    );
    return rows.map(savedSearchOf);
  }

  /** Saves the filter under the name; saving a name again replaces that search. */
  async save(name: string, filter: AuditEventFilter, actor: AuditActor): Promise<SavedSearch> {
    const owner = ownerOf(actor);
    return this.dataSource.transaction(async (manager) => {
      const counted: { n: number; exists: boolean }[] = await manager.query(
        `SELECT count(*)::int AS n, bool_or(name = $2) AS exists FROM saved_search WHERE owner_id = $1`,
        [owner, name],
      );
      if (!counted[0]?.exists && (counted[0]?.n ?? 0) >= MAX_SAVED_SEARCHES) {
        throw new UnprocessableEntityException(`You have ${MAX_SAVED_SEARCHES} saved searches: delete one before saving another.`);
      }
      const rows: (SavedSearchRow & { replaced: boolean })[] = await manager.query(
        `INSERT INTO saved_search (owner_id, name, tenant_id, filter) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (owner_id, name) DO UPDATE SET filter = EXCLUDED.filter, updated_at = now()
         RETURNING name, filter, created_at, updated_at, (xmax <> 0) AS replaced`,
        [owner, name, actor.tenant, JSON.stringify(filter)],
      );
      const row = rows[0] as SavedSearchRow & { replaced: boolean };
      await this.audit.record({
        action: 'audit.search_saved',
        outcome: 'success',
        actor,
        tenant: actor.tenant,
        resource: { type: 'saved_search', name },
        details: { replaced: row.replaced, filter: filterDetails(filter) },
      });
      return savedSearchOf(row);
    });
  }

  /** Deletes one of the actor's searches; another person's search does not exist for them (404). */
  async delete(name: string, actor: AuditActor): Promise<void> {
    const owner = ownerOf(actor);
    await this.dataSource.transaction(async (manager) => {
      // TypeORM answers a DELETE with [rows, affected].
      const [, deleted]: [unknown[], number] = await manager.query(`DELETE FROM saved_search WHERE owner_id = $1 AND tenant_id = $2 AND name = $3`, [owner, actor.tenant, name]);
      if (deleted === 0) throw new NotFoundException(`You have no saved search named "${name}".`);
      await this.audit.record({ action: 'audit.search_deleted', outcome: 'success', actor, tenant: actor.tenant, resource: { type: 'saved_search', name } });
    });
  }
}

/** Searches belong to a principal row (a person or key holder signed in), never to the CLI or the gateway itself. */
function ownerOf(actor: AuditActor): string {
  if (actor.kind === 'system' || !UUID.test(actor.principalId)) throw new ForbiddenException('Saved searches belong to a signed-in principal.');
  return actor.principalId;
}
