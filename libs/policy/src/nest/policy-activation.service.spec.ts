import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyBundle } from '../core/policy-bundle';
import { PolicyEngine } from '../core/policy-engine';
import { chatRequest, TEST_SCHEMA } from '../core/policy-test-fixtures';
import { PolicyErrorCode } from '../core/policy.errors';
import { PolicyActivationService } from './policy-activation.service';
import { PolicyBundleRepository } from './policy-bundle.repository';
import { bundleThat, cliActor, RecordingAuditRecorder } from './policy-nest-fixtures';
import { PolicySignaturePolicy } from './policy-signature';

describe(PolicyActivationService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAuditRecorder;
  let repository: PolicyBundleRepository;
  let sut: PolicyActivationService;
  const options = { tenant: 'default', actor: cliActor };

  beforeAll(async () => {
    db = await createTestDatabase();
    repository = new PolicyBundleRepository(db.dataSource);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM policy_bundle');
    audit = new RecordingAuditRecorder();
    sut = new PolicyActivationService(db.dataSource, audit, PolicySignaturePolicy.none());
  });

  it('stores and activates a valid bundle, and records the act with the bundle digest', async () => {
    const bundle = bundleThat('allows');
    const result = await sut.activate(bundle, options);
    expect(result).toEqual({ id: expect.any(String), sha256: bundle.sha256 });
    expect(await repository.activeSha256('default')).toBe(bundle.sha256);
    expect((await repository.findBySha256('default', bundle.sha256))?.files).toEqual(bundle.files);
    expect(audit.events).toEqual([
      expect.objectContaining({
        action: 'policy_bundle.activated',
        outcome: 'success',
        resource: { type: 'policy_bundle', id: result.id, sha256: bundle.sha256 },
        details: { files: 2, policies: 1, signed: false },
      }),
    ]);
  });

  it('rolls the activation back when its audit event cannot be committed', async () => {
    const first = await sut.activate(bundleThat('allows'), options);
    audit.failNext = true;
    await expect(sut.activate(bundleThat('denies'), options)).rejects.toThrow('audit store unavailable');
    expect(await repository.activeSha256('default')).toBe(first.sha256);
    expect(await repository.list('default')).toHaveLength(1);
  });

  it('refuses an invalid bundle, audits the refusal and keeps the active one', async () => {
    const good = await sut.activate(bundleThat('allows'), options);
    const invalid = PolicyBundle.fromFiles({ 'attest.cedarschema': TEST_SCHEMA, 'main.cedar': 'permit (principal, action, resource);' });
    await expect(sut.activate(invalid, options)).rejects.toMatchObject({ code: PolicyErrorCode.BundleInvalid });
    expect(audit.events.at(-1)).toMatchObject({ action: 'policy_bundle.activation_refused', outcome: 'failure', details: { code: 'POLICY_BUNDLE_INVALID' } });
    expect(await repository.activeSha256('default')).toBe(good.sha256);
  });

  it('rolls back to a stored bundle by its sha256, naming the one it replaces', async () => {
    const first = await sut.activate(bundleThat('allows'), options);
    const second = await sut.activate(bundleThat('denies'), options);
    const result = await sut.activateStored(first.sha256, options);
    expect(result).toEqual({ id: first.id, sha256: first.sha256, previousSha256: second.sha256 });
    expect(await repository.activeSha256('default')).toBe(first.sha256);
    await expect(sut.activateStored('f'.repeat(64), options)).rejects.toMatchObject({ code: PolicyErrorCode.BundleNotFound });
  });

  it('requires a valid signature when signing is required', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const dir = await mkdtemp(join(tmpdir(), 'attest-key-'));
    try {
      await writeFile(join(dir, 'key.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      sut = new PolicyActivationService(db.dataSource, audit, PolicySignaturePolicy.fromConfig({ requireSignature: true, publicKeyFile: join(dir, 'key.pem') }));
      const unsigned = bundleThat('allows');
      await expect(sut.activate(unsigned, options)).rejects.toMatchObject({ code: PolicyErrorCode.SignatureInvalid });
      const signed = unsigned.withSignature(unsigned.signWith(privateKey));
      await sut.activate(signed, options);
      expect((await repository.list('default'))[0]).toMatchObject({ sha256: signed.sha256, signed: true });
      expect((await repository.findBySha256('default', signed.sha256))?.signature).toBe(signed.signature);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('evaluates a described request against a candidate bundle without activating it', () => {
    const engine = new PolicyEngine(bundleThat('allows'));
    expect(sut.evaluate(chatRequest(), engine).decision).toBe('allow');
    expect(sut.evaluate(chatRequest(), engine, bundleThat('denies'))).toMatchObject({ decision: 'deny', policyIds: ['none'] });
  });
});
