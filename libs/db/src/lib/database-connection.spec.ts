import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseError, DatabaseErrorCode } from './db.errors';
import { openDatabase, redactUrl } from './database-connection';
import { EmbeddedPostgresServer } from './embedded-postgres.server';
import { findFreePort } from './free-port';

const baseConfig = { dataDir: '.unused', embeddedPort: 0, poolSize: 1, connectTimeoutMs: 1_000 };

describe(openDatabase.name, () => {
  it('fails fast with DB_UNREACHABLE when nothing listens at DATABASE_URL', async () => {
    const port = await findFreePort();
    const error = await openDatabase({ ...baseConfig, url: `postgres://postgres:pw@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe(DatabaseErrorCode.Unreachable);
    expect((error as DatabaseError).message).toContain('connection refused');
    expect((error as DatabaseError).message).not.toContain(':pw@');
  });

  it('gives up within the connect timeout when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const started = Date.now();
    try {
      const error = await openDatabase({ ...baseConfig, url: `postgres://postgres@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
      expect((error as DatabaseError).code).toBe(DatabaseErrorCode.Unreachable);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });
});

describe(`${openDatabase.name} without DATABASE_URL, beside a process that runs the embedded cluster`, () => {
  let dataDir: string;
  let gateway: EmbeddedPostgresServer;
  let gatewayUrl: string;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attest-shared-embedded-'));
    gateway = new EmbeddedPostgresServer({ dataDir, port: 0, shareable: true });
    gatewayUrl = await gateway.start();
  });
  afterEach(async () => {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('joins that cluster when it is offered, and leaves it running on close', async () => {
    const cli = await openDatabase({ ...baseConfig, dataDir, url: undefined }, { embeddedSharing: 'join' });
    await cli.dataSource.query('CREATE TABLE written_by_cli (value text)');
    await cli.close();
    expect(cli.mode).toBe('embedded');
    // Still the gateway's server, on its port: the CLI neither started another nor stopped this one.
    expect(new EmbeddedPostgresServer({ dataDir, port: 0 }).runningUrl()).toBe(gatewayUrl);
    const client = new Client({ connectionString: new URL('/attest', gatewayUrl).toString() });
    await client.connect();
    try {
      expect((await client.query(`SELECT to_regclass('written_by_cli') IS NOT NULL AS found`)).rows).toEqual([{ found: true }]);
    } finally {
      await client.end();
    }
  });

  it('offers it from openDatabase too, and stops offering it on close', async () => {
    const other = mkdtempSync(join(tmpdir(), 'attest-offered-embedded-'));
    try {
      const offered = await openDatabase({ ...baseConfig, dataDir: other, url: undefined }, { embeddedSharing: 'offer' });
      const joined = await openDatabase({ ...baseConfig, dataDir: other, url: undefined }, { embeddedSharing: 'join' });
      await joined.close();
      await offered.close();
      expect(new EmbeddedPostgresServer({ dataDir: other, port: 0 }).runningUrl()).toBeUndefined();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses to start a second server on the folder without joining', async () => {
    const error = await openDatabase({ ...baseConfig, dataDir, url: undefined }).catch((e: unknown) => e);
    expect((error as DatabaseError).code).toBe(DatabaseErrorCode.EmbeddedStartFailed);
  });
});

describe(redactUrl.name, () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('postgres://u:secret@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(redactUrl('not a url')).toBe('<unparseable URL>');
  });
});
