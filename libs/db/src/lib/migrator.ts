import type { DataSource } from 'typeorm';
import { knownMigrationNames, MIGRATIONS_TABLE } from './data-source';
import { DatabaseError, DatabaseErrorCode } from './db.errors';

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this build: the data comes from a newer Attest. */
  unknown: string[];
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const known = knownMigrationNames();
  const rows: { name: string }[] = (await tableExists(dataSource, MIGRATIONS_TABLE))
    ? await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)
    : [];
  const applied = rows.map((row) => row.name);
  return {
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  };
}

/**
 * Applies pending migrations. A database migrated by a newer build is refused: migrating down silently would
 * destroy data that build wrote.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const status = await migrationStatus(dataSource);
  if (status.unknown.length > 0) {
    throw new DatabaseError(
      DatabaseErrorCode.SchemaTooNew,
      `the database schema is newer than this Attest build (it has migrations this build does not know: ` +
        `${status.unknown.join(', ')}). Upgrade Attest, or point it at another database; nothing was changed.`,
    );
  }
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  return ran.map((migration) => migration.name);
}

async function tableExists(dataSource: DataSource, table: string): Promise<boolean> {
  const rows: { exists: boolean }[] = await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table]);
  return rows[0]?.exists === true;
}
