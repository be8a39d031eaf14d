import { Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditError, AuditErrorCode } from './audit.errors';

/**
 * The pg pool behind a TypeORM DataSource: the writer speaks to it directly, so one round trip can carry several
 * statements (BEGIN; SET LOCAL ROLE; lock) and arrays travel as single parameters.
 */
export function poolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool || !dataSource.isInitialized) throw new AuditError(AuditErrorCode.Unavailable, 'the database connection is not open');
  return pool;
}

/**
 * A second, small pool on the DataSource's database whose sessions run in node-pg's pipeline mode: a transaction's
 * statements (BEGIN and its settings, an INSERT with binary parameters, COMMIT) go out together and take one round
 * trip. Idle sessions do not keep the process alive, and one the server ends while idle is dropped quietly.
 */
export function openPipelinedPool(dataSource: DataSource, max: number): Pool {
  const { options } = poolOf(dataSource);
  // pg-pool keeps the password as a non-enumerable property, which a spread would leave behind.
  const pool = new Pool({ ...options, password: options.password, max, pipeline: true, allowExitOnIdle: true, idleTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  return pool;
}

export async function withClient<T>(source: DataSource | Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await (source instanceof Pool ? source : poolOf(source)).connect();
  } catch (error) {
    if (error instanceof AuditError) throw error;
    throw new AuditError(AuditErrorCode.Unavailable, `cannot reach the audit database: ${(error as Error).message}`, { cause: error });
  }
  // A checked-out pg client has no 'error' listener: when the server ends the session (restart, failover), the client
  // emits 'error' and, unheard, that kills the process. The statement in flight rejects anyway; this only keeps it heard.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  let failed = false;
  try {
    return await work(client);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.removeListener('error', onError);
    // A session whose work failed is not trusted again (terminated, or one that opened read-only): the pool drops it
    // and the next batch opens a fresh one, which sees the database as it is now.
    client.release(lost ?? (failed ? new Error('audit database work failed on this session') : undefined));
  }
}

/** `SET LOCAL ROLE x;` for a validated role name, or nothing. */
export function setRoleStatement(role: string | undefined): string {
  if (role === undefined) return '';
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new AuditError(AuditErrorCode.Unavailable, `invalid audit role ${role}`);
  return `SET LOCAL ROLE ${role};`;
}

export interface LogHead {
  origin: string;
  size: number;
  headHash: Buffer;
  epoch: number;
}

export async function readHead(client: PoolClient): Promise<LogHead> {
  const { rows } = await client.query<{ origin: string; size: string; head_hash: Buffer; epoch: string }>('SELECT origin, size, head_hash, epoch FROM audit_log WHERE id = 1');
  const row = rows[0];
  if (!row) throw new AuditError(AuditErrorCode.Unavailable, 'the audit log has no head row: is the database migrated?');
  return { origin: row.origin, size: Number(row.size), headHash: row.head_hash, epoch: Number(row.epoch) };
}
