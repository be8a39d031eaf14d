import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from './db.config';
import { createDataSource, type DataSourceOptions } from './data-source';
import { DatabaseError, DatabaseErrorCode } from './db.errors';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

export const EMBEDDED_DATABASE_NAME = 'attest';

/** A live connection plus whatever has to be stopped after it (the embedded server). */
export interface DatabaseConnection {
  dataSource: DataSource;
  /** `external` for DATABASE_URL, `embedded` for the local cluster. */
  mode: 'external' | 'embedded';
  /** Destroys the pool, then stops the embedded server if one was started. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions extends Pick<DataSourceOptions, 'entities' | 'applicationName'> {
  log?: (line: string) => void;
  /**
   * Without DATABASE_URL: `offer` (the gateway) lets other processes use the embedded cluster while this one runs it;
   * `join` (the CLI) connects to a cluster so offered, leaving it running on close, and starts its own otherwise.
   * Without either, a running cluster refuses a second server.
   */
  embeddedSharing?: 'offer' | 'join';
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL in the data folder and creates the `attest` database
 * in it on first use.
 */
export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<DatabaseConnection> {
  let embedded: EmbeddedPostgresServer | undefined;
  let url = config.url;
  if (!url) {
    const server = new EmbeddedPostgresServer({ dataDir: config.dataDir, port: config.embeddedPort, log: options.log, shareable: options.embeddedSharing === 'offer' });
    const running = options.embeddedSharing === 'join' ? server.runningUrl() : undefined;
    // A cluster another process runs is that process's to stop: `embedded` stays unset, so close() leaves it.
    if (!running) embedded = server;
    const adminUrl = running ?? (await server.start());
    try {
      url = await ensureDatabase(adminUrl, EMBEDDED_DATABASE_NAME, config.connectTimeoutMs);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }
  const dataSource = createDataSource({
    url,
    entities: options.entities,
    applicationName: options.applicationName,
    poolSize: config.poolSize,
    connectTimeoutMs: config.connectTimeoutMs,
  });
  try {
    await withDeadline(dataSource.initialize(), config.connectTimeoutMs + 1_000);
  } catch (error) {
    await embedded?.stop();
    throw new DatabaseError(
      DatabaseErrorCode.Unreachable,
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${describeConnectError(error)}`,
      { cause: error },
    );
  }
  let closed = false;
  return {
    dataSource,
    mode: config.url ? 'external' : 'embedded',
    async close() {
      if (closed) return;
      closed = true;
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Creates `database` on the server behind `adminUrl` when missing; returns a URL that points at it. */
export async function ensureDatabase(adminUrl: string, database: string, connectTimeoutMs: number): Promise<string> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

function describeConnectError(error: unknown): string {
  // Duck-typed: socket errors come from Node's realm, which `instanceof Error` misses under test sandboxes.
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: string; message?: string };
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running and listening on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === '3D000') return 'the database does not exist';
  if (code === '28P01' || code === '28000') return 'authentication failed';
  return message ?? String(error);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
