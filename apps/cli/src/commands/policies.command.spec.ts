import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';

const SHIPPED = join(__dirname, '..', '..', '..', '..', 'policies');

describe('attest policies', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-cli-policies-'));
    await cp(SHIPPED, dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('validates and tests the shipped policies', async () => {
    const validate = await runCli(['policies', 'validate', dir]);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toMatch(/^valid: \d+ policies in \d+ files, bundle sha256 [0-9a-f]{64}\n$/);
    expect(validate.code).toBe(0);

    const test = await runCli(['policies', 'test', dir]);
    expect(test.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(test.code).toBe(0);
  });

  it('exits 1 naming the file, line and Cedar message of an invalid policy', async () => {
    await writeFile(join(dir, 'extra.cedar'), '@id("typo")\npermit (principal, action, resource) when { resource.domian == "x" };\n');
    const result = await runCli(['policies', 'validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'extra.cedar')}:2:`);
    expect(result.stderr).toContain('attribute `domian` on entity type `Model` not found');
  });

  it('exits 1 when a policy test fails, and says which', async () => {
    const path = join(dir, 'tests', 'baseline.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"decision": "deny"', '"decision": "allow"'));
    const result = await runCli(['policies', 'test', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}baseline\.json › a draft model version serves nobody\n {8}expected allow, got deny/);
  });

  describe('activate', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db.drop());

    it('refuses an unsigned bundle when signing is required, then activates the signed one and audits it', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      await writeFile(join(dir, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      const env = { ATTEST_POLICY_REQUIRE_SIGNATURE: 'true', ATTEST_POLICY_PUBLIC_KEY_FILE: join(dir, 'public.pem') };

      const unsigned = await runCli(['policies', 'activate', dir, '--database-url', db.url], env);
      expect(unsigned.code).toBe(1);
      expect(unsigned.stderr).toContain('[POLICY_SIGNATURE_INVALID]');

      const sign = await runCli(['policies', 'sign', dir, '--key', join(dir, 'private.pem')]);
      expect(sign.code).toBe(0);
      const activated = await runCli(['policies', 'activate', dir, '--database-url', db.url], env);
      expect(activated.code).toBe(0);
      const [row] = (await db.dataSource.query(`SELECT sha256, signature FROM policy_bundle WHERE activated_at IS NOT NULL`)) as { sha256: string; signature: string }[];
      expect(activated.stdout).toBe(`activated bundle ${row!.sha256} for tenant default\n`);
      expect(row!.signature).toBe((await readFile(join(dir, 'bundle.sig'), 'utf8')).trim());
      const recorded: { outcome: string }[] = await db.dataSource.query(
        `SELECT outcome FROM audit_event WHERE action = 'policy_bundle.activated' ORDER BY seq`,
      );
      expect(recorded).toEqual([{ outcome: 'success' }]);
    });
  });
});
