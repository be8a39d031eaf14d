import { allMigrations } from '@attest/migrations';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

export const MIGRATIONS_TABLE = 'attest_migrations';

export interface DataSourceOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  poolSize?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
}

/**
 * The one DataSource definition shared by the gateway and the CLI. The schema is owned by migrations only
 * (`synchronize: false`): triggers and roles on audit tables are invisible to synchronize.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
    migrations: allMigrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    applicationName: options.applicationName ?? 'attest',
    connectTimeoutMS: options.connectTimeoutMs ?? 10_000,
    extra: { max: options.poolSize ?? 10 },
  });
}

/** Names of the migrations this build knows, in order. */
export function knownMigrationNames(): string[] {
  return allMigrations.map((migration) => migration.name);
}
