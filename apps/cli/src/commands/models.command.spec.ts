import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';

const root = join(__dirname, '..', '..', '..', '..');
const builtinModel = join(root, 'models', 'builtin', 'stories260k-f32-v3.gguf');

describe('attest models', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const models = (...args: string[]) => runCli(['models', ...args], { DATABASE_URL: db.url });

  it('refuses a file that is not GGUF with one line naming the code, without needing a database', async () => {
    const refused = await runCli(['models', 'inspect', join(root, 'README.md')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('attest: [INVALID_GGUF] README.md: not a GGUF file: the magic bytes are not "GGUF" (at byte 0)');
  });

  it('registers with a hashing progress bar, refuses self-approval, and records the --as actors', async () => {
    const registered = await models('register', builtinModel, '--name', 'demo', '--licence', 'MIT', '--as', 'alice');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain('registered demo@1  draft  sha256:3c4a7c3a8313');
    expect(registered.stderr).toContain('hashing stories260k-f32-v3.gguf [####################] 100%');
    const recorded: { actor_id: string }[] = await db.dataSource.query(
      `SELECT actor_id FROM audit_event WHERE action = 'model_version.registered' ORDER BY seq DESC LIMIT 1`,
    );
    expect(recorded).toEqual([{ actor_id: 'alice' }]);

    const self = await models('approve', 'demo@1', '--as', 'alice');
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('attest: [FOUR_EYES_REQUIRED] alice registered demo@1');

    const approved = await models('approve', 'demo@1', '--as', 'bob', '--comment', 'card reviewed');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('approved demo@1  approved');
    expect(approved.stdout).toContain('registered by alice  approved by bob');
  });
});
