import { createEmptyDatabase, databaseUrl, dropDatabase, TEST_ADMIN_URL_ENV } from '@attest/db/testing';
import { knownMigrationNames } from '@attest/db';
import { runCli } from '../../test/run-cli';

describe('attest migrate', () => {
  const adminUrl = () => process.env[TEST_ADMIN_URL_ENV] ?? '';

  it('lists its commands with --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('migrate');
  });

  it('migrates an empty database, then reports it up to date', async () => {
    const name = await createEmptyDatabase(adminUrl());
    const url = databaseUrl(adminUrl(), name);
    try {
      const first = await runCli(['migrate', '--database-url', url]);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`applied ${knownMigrationNames().length}`);

      const second = await runCli(['migrate'], { DATABASE_URL: url });
      expect(second.stdout).toContain('up to date');

      const status = await runCli(['migrate', '--status'], { DATABASE_URL: url });
      expect(status.stdout).toContain(`applied  ${knownMigrationNames()[0]}`);
    } finally {
      await dropDatabase(adminUrl(), name);
    }
  });

  it('exits 2 naming the variable when DATABASE_URL is malformed, and never prints it', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL=<redacted> is not allowed');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('rejects an unknown command with usage help', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
