import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatRequest, TEST_SCHEMA } from '../core/policy-test-fixtures';
import { PolicyErrorCode } from '../core/policy.errors';
import { PolicyActivationService } from './policy-activation.service';
import { PolicyBundleRepository } from './policy-bundle.repository';
import { PolicyEngineProvider } from './policy-engine.provider';
import { bundleThat, cliActor, RecordingAuditRecorder } from './policy-nest-fixtures';
import { PolicySignaturePolicy } from './policy-signature';

const ALLOW = '@id("all") permit (principal, action, resource);';
const DENY = '@id("none") forbid (principal, action, resource);';

describe(PolicyEngineProvider.name, () => {
  let db: TestDatabase;
  let dir: string;
  let sut: PolicyEngineProvider | undefined;
  const log = { log: jest.fn(), error: jest.fn() };

  const create = () =>
    PolicyEngineProvider.create({
      config: { dir, reloadMs: 0, tenant: 'default' },
      repository: new PolicyBundleRepository(db.dataSource),
      signatures: PolicySignaturePolicy.none(),
      log,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM policy_bundle');
    dir = await mkdtemp(join(tmpdir(), 'attest-policies-'));
    await writeFile(join(dir, 'attest.cedarschema'), TEST_SCHEMA);
    await writeFile(join(dir, 'main.cedar'), ALLOW);
  });
  afterEach(async () => {
    sut?.onModuleDestroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the policy folder while no bundle is activated', async () => {
    sut = await create();
    expect(sut.current().decide(chatRequest()).decision).toBe('allow');
  });

  it('refuses to start on an invalid folder', async () => {
    await writeFile(join(dir, 'main.cedar'), 'permit (principal, action, resource);');
    await expect(create()).rejects.toMatchObject({ code: PolicyErrorCode.BundleInvalid });
  });

  it('reloads changed files without a restart, and keeps the last good bundle when they break', async () => {
    sut = await create();
    const engine = sut.current();
    await writeFile(join(dir, 'main.cedar'), DENY);
    await sut.refresh();
    expect(engine.decide(chatRequest())).toMatchObject({ decision: 'deny', policyIds: ['none'] });
    const good = engine.bundleSha256;
    await writeFile(join(dir, 'main.cedar'), 'forbid (principal, action, resource);');
    await sut.refresh();
    expect(engine.bundleSha256).toBe(good);
    expect(log.error).toHaveBeenCalledWith(expect.stringContaining('policy reload refused'));
  });

  it('prefers the bundle activated in the database, picked up on the next check', async () => {
    sut = await create();
    const activated = bundleThat('denies');
    await new PolicyActivationService(db.dataSource, new RecordingAuditRecorder(), PolicySignaturePolicy.none()).activate(activated, {
      tenant: 'default',
      actor: cliActor,
    });
    await sut.refresh();
    expect(sut.current().bundleSha256).toBe(activated.sha256);
    expect(sut.current().decide(chatRequest()).decision).toBe('deny');
    const restarted = await create();
    expect(restarted.current().bundleSha256).toBe(activated.sha256);
  });

  it("knows each tenant's time zone, and UTC for others", async () => {
    await db.dataSource.query(`UPDATE tenant SET time_zone = 'Europe/Berlin' WHERE id = 'default'`);
    sut = await create();
    expect(sut.timeZoneOf('default')).toBe('Europe/Berlin');
    expect(sut.timeZoneOf('elsewhere')).toBe('UTC');
  });
});
