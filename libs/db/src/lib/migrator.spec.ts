import { createTestDatabase, type TestDatabase } from '../testing';
import { knownMigrationNames, MIGRATIONS_TABLE } from './data-source';
import { DatabaseError, DatabaseErrorCode } from './db.errors';
import { migrate, migrationStatus } from './migrator';

describe('migrator', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('leaves nothing pending on a migrated database', async () => {
    const status = await migrationStatus(db.dataSource);
    expect(status.applied).toEqual(knownMigrationNames());
    expect(status.pending).toEqual([]);
    expect(await migrate(db.dataSource)).toEqual([]);
  });

  it('creates the schema the other capabilities start from', async () => {
    const rows: { table_name: string }[] = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['tenant', 'principal', 'api_key', 'model', 'model_version', 'model_alias', 'policy_bundle']),
    );
    const tenants: { id: string }[] = await db.dataSource.query('SELECT id FROM tenant');
    expect(tenants).toEqual([{ id: 'default' }]);
  });

  it('refuses a database migrated by a newer build and changes nothing', async () => {
    await db.dataSource.query(`INSERT INTO ${MIGRATIONS_TABLE} (timestamp, name) VALUES ($1, $2)`, [9999999999999, 'FromTheFuture9999999999999']);
    const error = await migrate(db.dataSource).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe(DatabaseErrorCode.SchemaTooNew);
    expect((error as DatabaseError).message).toContain('FromTheFuture9999999999999');
    expect((await migrationStatus(db.dataSource)).unknown).toEqual(['FromTheFuture9999999999999']);
  });

  it('reverts every migration cleanly and applies them again', async () => {
    for (let i = 0; i < knownMigrationNames().length; i++) await db.dataSource.undoLastMigration();
    expect((await migrationStatus(db.dataSource)).pending).toEqual(knownMigrationNames());
    expect(await migrate(db.dataSource)).toEqual(knownMigrationNames());
  });
});
