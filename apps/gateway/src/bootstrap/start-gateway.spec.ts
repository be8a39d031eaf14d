import { findFreePort } from '@attest/db';
import { spawnGateway, waitForHttp } from '../../test/gateway-process';
import { createTestDatabase } from '@attest/db/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

// Each case starts the real entry point in a child process (TypeScript compiled on the fly): allow for a loaded machine.
jest.setTimeout(180_000);

describe('gateway process (npm start)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'attest-start-spec-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with zero configuration on embedded PostgreSQL, stops on SIGTERM, and keeps data across restarts', async () => {
    const port = await findFreePort();
    const env = { PORT: String(port), ATTEST_DATA_DIR: dataDir };
    const first = spawnGateway(env);
    await waitForHttp(`http://127.0.0.1:${port}/readyz`);
    const readiness = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string };
    expect(readiness.status).toBe('ready');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // PostgreSQL removes its lock file only after a clean shutdown.
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = spawnGateway(env);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain('initialising embedded PostgreSQL');
    expect(first.output()).toContain('initialising embedded PostgreSQL');
  });

  // The 15 s bound itself is proven in-process (database-connection.spec.ts); here: the process exits, it never hangs.
  it('exits 1 with a clear reason when DATABASE_URL does not answer', async () => {
    const dbPort = await findFreePort();
    const gateway = spawnGateway({ DATABASE_URL: `postgres://postgres@127.0.0.1:${dbPort}/x`, PORT: '0' });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('[DB_UNREACHABLE]');
  });

  it('exits 1 naming the variable when PORT is not a port', async () => {
    const gateway = spawnGateway({ PORT: 'eighty', ATTEST_DATA_DIR: dataDir });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('PORT="eighty" is not allowed');
  });

  it('exits 1 with a clear reason when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const db = await createTestDatabase();
    try {
      const gateway = spawnGateway({ PORT: String(port), DATABASE_URL: db.url, ATTEST_DATA_DIR: dataDir });
      expect(await gateway.exited).toBe(1);
      expect(gateway.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
      await db.drop();
    }
  });

  it('refuses to start on a database migrated by a newer build', async () => {
    const db = await createTestDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(`INSERT INTO attest_migrations (timestamp, name) VALUES (9999999999999, 'Future9999999999999')`);
    await client.end();
    try {
      const gateway = spawnGateway({ PORT: '0', DATABASE_URL: db.url, ATTEST_DATA_DIR: dataDir });
      expect(await gateway.exited).toBe(1);
      expect(gateway.output()).toContain('[DB_SCHEMA_TOO_NEW]');
      expect(gateway.output()).toContain('Future9999999999999');
    } finally {
      await db.drop();
    }
  });
});
