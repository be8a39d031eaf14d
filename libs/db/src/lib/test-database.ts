import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceOptions } from './data-source';
import { migrate } from './migrator';

/** Set by the jest global setup: a superuser URL of the server that test databases are created on. */
export const TEST_ADMIN_URL_ENV = 'ATTEST_TEST_ADMIN_URL';
/** Set by the jest global setup: a migrated database that test databases are cloned from. */
export const TEST_TEMPLATE_DB_ENV = 'ATTEST_TEST_TEMPLATE_DB';

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration specs through the jest config (npm test)`);
  return value;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a unique name, so concurrent runs never collide. */
export async function createEmptyDatabase(adminUrl: string, prefix = 'attest_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  return name;
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Creates and migrates the template that every test database is cloned from (once per test run). */
export async function createTemplateDatabase(adminUrl: string): Promise<string> {
  const name = await createEmptyDatabase(adminUrl, 'attest_template');
  const dataSource = createDataSource({ url: databaseUrl(adminUrl, name), poolSize: 1 });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return name;
}

/**
 * A fresh, migrated database of its own for one spec file, cloned from the run's template.
 *
 * @example
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase(); });
 * afterAll(() => db.drop());
 */
export async function createTestDatabase(options: Pick<DataSourceOptions, 'entities'> = {}): Promise<TestDatabase> {
  const adminUrl = requireEnv(TEST_ADMIN_URL_ENV);
  const template = requireEnv(TEST_TEMPLATE_DB_ENV);
  const name = `attest_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`),
  );
  const url = databaseUrl(adminUrl, name);
  const dataSource = createDataSource({ url, entities: options.entities, poolSize: 4 });
  await dataSource.initialize();
  return {
    name,
    url,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}
