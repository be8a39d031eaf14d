import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { API_KEY_PATTERN } from '@attest/identity';
import { runCli } from '../../test/run-cli';

describe('attest keys', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates a key printed once on stdout, lists it masked, rotates and revokes it', async () => {
    const env = { DATABASE_URL: db.url };
    const created = await runCli(['keys', 'create', '--name', 'ci', '--role', 'developer', '--models', 'llama3,phi*', '--expires', '30d'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(created.stderr).toContain('shown once');
    expect(created.stderr).not.toContain(key);
    const recorded: { n: number }[] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'api_key.created'`);
    expect(recorded[0]?.n).toBe(1);

    const listed = await runCli(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(key);
    const [summary] = JSON.parse(listed.stdout) as { id: string; name: string; modelScopes: string[]; status: string }[];
    expect(summary).toMatchObject({ name: 'ci', modelScopes: ['llama3', 'phi*'], status: 'active' });

    const rotated = await runCli(['keys', 'rotate', summary!.id, '--overlap', '1h'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).toMatch(API_KEY_PATTERN);
    expect(rotated.stdout.trim()).not.toBe(key);

    const revoked = await runCli(['keys', 'revoke', summary!.id, '--reason', 'test'], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
  });

  it('refuses a bad request with its code and exit 1, printing no key', async () => {
    const result = await runCli(['keys', 'create', '--name', 'ci', '--role', 'root'], { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[INVALID_KEY_REQUEST] "root" is not a role.');
    expect(result.stdout).toBe('');
  });
});
