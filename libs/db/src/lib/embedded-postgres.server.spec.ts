import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe(EmbeddedPostgresServer.name, () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'attest-embedded-spec-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps data across a stop and a restart in the same folder', async () => {
    const first = new EmbeddedPostgresServer({ dataDir, port: 0 });
    const url = await first.start();
    await query(url, 'CREATE TABLE survivor (value text); INSERT INTO survivor VALUES ($$kept$$)');
    await first.stop();

    const second = new EmbeddedPostgresServer({ dataDir, port: 0 });
    const secondUrl = await second.start();
    try {
      expect(await query(secondUrl, 'SELECT value FROM survivor')).toEqual([{ value: 'kept' }]);
      expect(await query(secondUrl, 'SHOW server_version_num')).toEqual([{ server_version_num: expect.stringMatching(/^18/) }]);
    } finally {
      await second.stop();
    }
  });

  it('tells where the cluster another process runs in the folder listens, and nothing when none runs', async () => {
    const gateway = new EmbeddedPostgresServer({ dataDir, port: 0, shareable: true });
    const cli = new EmbeddedPostgresServer({ dataDir, port: 0 });
    expect(cli.runningUrl()).toBeUndefined();
    const url = await gateway.start();
    try {
      expect(cli.runningUrl()).toBe(url);
      await query(url, 'CREATE TABLE seen (value text); INSERT INTO seen VALUES ($$shared$$)');
      expect(await query(cli.runningUrl() ?? '', 'SELECT value FROM seen')).toEqual([{ value: 'shared' }]);
    } finally {
      await gateway.stop();
    }
    expect(cli.runningUrl()).toBeUndefined();
  });

  it('does not offer a cluster whose owner did not share it (a CLI command that stops it when it ends)', async () => {
    const cliCommand = new EmbeddedPostgresServer({ dataDir, port: 0 });
    await cliCommand.start();
    try {
      expect(new EmbeddedPostgresServer({ dataDir, port: 0 }).runningUrl()).toBeUndefined();
    } finally {
      await cliCommand.stop();
    }
  });

  it.each([
    ['a process that is not PostgreSQL', () => process.pid],
    ['no process at all', () => 4_194_303],
  ])('takes a lock file whose PID is now %s for a stale one', (_case, pidOf) => {
    mkdirSync(join(dataDir, 'pg'), { recursive: true });
    writeFileSync(join(dataDir, 'embedded-pg.shared'), `${process.pid}\n`);
    writeFileSync(join(dataDir, 'pg', 'postmaster.pid'), [pidOf(), join(dataDir, 'pg'), '1796600000', '54329', '', '127.0.0.1', '0', 'ready   ', ''].join('\n'));
    expect(new EmbeddedPostgresServer({ dataDir, port: 0 }).runningUrl()).toBeUndefined();
  });

  it('refuses a second server on a folder that is in use, with a clear reason', async () => {
    const first = new EmbeddedPostgresServer({ dataDir, port: 0 });
    await first.start();
    try {
      const second = new EmbeddedPostgresServer({ dataDir, port: 0 });
      await expect(second.start()).rejects.toThrow(/another PostgreSQL .* is using this data folder/i);
    } finally {
      await first.stop();
    }
  });
});
