import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { register as metrics } from 'prom-client';
import { BUILTIN_MODEL } from '../core/builtin-model';
import { RegistryErrorCode } from '../core/registry.errors';
import { ModelRegistryService } from './model-registry.service';
import { actor, builtinModelPath, modelCopy, recordingAudit, removeModelCopies, type RecordingAudit } from './registry-test-kit';

const alice = actor('alice');
const bob = actor('bob');
const carol = actor('carol', ['developer']);

describe(ModelRegistryService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAudit;
  let sut: ModelRegistryService;

  const count = async (table: string): Promise<number> => Number(((await db.dataSource.query(`SELECT count(*) AS n FROM ${table}`)) as { n: string }[])[0]!.n);
  const registerLocal = async (name: string, by = alice, version?: number) =>
    sut.register({ name, source: { kind: 'local_gguf', path: await modelCopy() }, ...(version ? { version } : {}) }, by);
  const activeVersion = async (name: string, version = 1) => {
    await registerLocal(name, alice, version);
    await sut.approve({ model: name, version }, bob);
    return sut.promote({ model: name, version }, bob);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = recordingAudit();
    sut = new ModelRegistryService(db.dataSource, audit, { builtinModelPath: builtinModelPath(), registerBuiltinModel: true, random: () => 0 });
  });
  afterAll(async () => {
    await db.drop();
    await removeModelCopies();
  });
  beforeEach(() => {
    audit.events.length = 0;
  });

  describe('first start', () => {
    it('registers the built-in model as active on an empty registry, once', async () => {
      const log = jest.fn();
      await sut.ensureBuiltinModel(log);
      await sut.ensureBuiltinModel(log);
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]![0]).toContain('stories260k@1');
      expect(audit.events).toEqual([expect.objectContaining({ action: 'model_version.registered', outcome: 'success', actor: expect.objectContaining({ principalId: 'system' }) })]);

      const resolved = await sut.resolve('default', 'stories260k');
      expect(resolved).toMatchObject({
        tenant: 'default',
        modelName: 'stories260k',
        version: 1,
        sha256: BUILTIN_MODEL.sha256,
        source: { kind: 'local_gguf', path: builtinModelPath(), sha256: BUILTIN_MODEL.sha256 },
        deployment: 'on_prem',
        contextLength: 512,
        licence: 'MIT',
        status: 'active',
      });
      const [version] = await sut.listVersions('default', 'stories260k');
      expect(version!.card).toBe(await readFile(join(dirname(builtinModelPath()), 'README.md'), 'utf8'));
      expect(version!.approvedBy).toBe('system:release');
      expect(await sut.listServable('default')).toEqual([expect.objectContaining({ id: 'stories260k', ownedBy: 'default' })]);
    });

    it('refuses a tampered built-in file instead of approving it', async () => {
      const empty = await createTestDatabase();
      try {
        const tampered = await modelCopy(BUILTIN_MODEL.fileName);
        await appendFile(tampered, 'x');
        const other = new ModelRegistryService(empty.dataSource, recordingAudit(), { builtinModelPath: tampered, registerBuiltinModel: true });
        await expect(other.ensureBuiltinModel(() => undefined)).rejects.toMatchObject({ code: RegistryErrorCode.IntegrityMismatch });
        expect(await other.listVersions('default')).toEqual([]);
      } finally {
        await empty.drop();
      }
    });
  });

  describe('lifecycle', () => {
    it('takes a version from draft to active with four-eyes approval, auditing each step', async () => {
      const draft = await registerLocal('tiny');
      expect(draft).toMatchObject({ model: 'tiny', version: 1, status: 'draft', registeredBy: 'alice', sha256: BUILTIN_MODEL.sha256, size: 1_185_344 });
      expect(draft.gguf).toMatchObject({ architecture: 'llama', contextLength: 512, quantisation: { name: 'F32' } });
      await expect(sut.resolve('default', 'tiny')).rejects.toMatchObject({ code: RegistryErrorCode.NotServable });
      await expect(sut.resolve('default', 'tiny@1')).rejects.toMatchObject({ code: RegistryErrorCode.NotServable });

      await expect(sut.approve({ model: 'tiny', version: 1 }, alice)).rejects.toMatchObject({ code: RegistryErrorCode.FourEyesRequired });
      await expect(sut.approve({ model: 'tiny', version: 1 }, carol)).rejects.toMatchObject({ code: RegistryErrorCode.ApproverRoleRequired });
      await expect(sut.promote({ model: 'tiny', version: 1 }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.InvalidTransition });
      expect((await sut.approve({ model: 'tiny', version: 1 }, bob, 'checked the card')).status).toBe('approved');
      expect((await sut.promote({ model: 'tiny', version: 1 }, bob)).status).toBe('active');
      expect(await sut.resolve('default', 'tiny')).toMatchObject({ version: 1, status: 'active', deprecated: false });

      expect(audit.events.map((event) => `${event.action}:${event.outcome}:${event.actor.principalId}`)).toEqual([
        'model_version.registered:success:alice',
        'model_version.approved:denied:alice',
        'model_version.approved:denied:carol',
        'model_version.approved:success:bob',
        'model_version.activated:success:bob',
      ]);
      expect(audit.events[3]!.resource).toMatchObject({ type: 'model_version', name: 'tiny', version: '1', sha256: BUILTIN_MODEL.sha256 });
    });

    it('serves the highest active version by name, a deprecated one only when pinned, and never a retired one', async () => {
      await activeVersion('multi', 1);
      await activeVersion('multi', 2);
      expect((await sut.resolve('default', 'multi')).version).toBe(2);
      await sut.deprecate({ model: 'multi', version: 2 }, bob);
      expect((await sut.resolve('default', 'multi')).version).toBe(1);
      expect(await sut.resolve('default', 'multi@2')).toMatchObject({ version: 2, deprecated: true });
      await sut.retire({ model: 'multi', version: 2 }, bob, 'superseded');
      await expect(sut.resolve('default', 'multi@2')).rejects.toMatchObject({ code: RegistryErrorCode.NotServable });
      await expect(sut.promote({ model: 'multi', version: 2 }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.InvalidTransition });
    });

    it('refuses a duplicate version, a file that is not GGUF and a truncated one, writing nothing', async () => {
      await registerLocal('dup', alice, 1);
      const before = await count('model_version');
      await expect(registerLocal('dup', alice, 1)).rejects.toMatchObject({ code: RegistryErrorCode.DuplicateVersion });

      const text = await modelCopy('notes.gguf');
      await writeFile(text, 'these are my notes, not a model');
      await expect(sut.register({ name: 'notes', source: { kind: 'local_gguf', path: text } }, alice)).rejects.toMatchObject({ code: RegistryErrorCode.InvalidGguf });

      const cut = await modelCopy('cut.gguf');
      await writeFile(cut, (await readFile(cut)).subarray(0, 600_000));
      await expect(sut.register({ name: 'cut', source: { kind: 'local_gguf', path: cut } }, alice)).rejects.toMatchObject({
        code: RegistryErrorCode.InvalidGguf,
        message: expect.stringContaining('truncated'),
      });
      expect(await count('model_version')).toBe(before);
      expect(await sut.listVersions('default', 'notes')).toEqual([]);
      expect(((await db.dataSource.query(`SELECT count(*) AS n FROM model WHERE name IN ('notes', 'cut')`)) as { n: string }[])[0]!.n).toBe('0');
    });

    it('fails closed: an act whose audit event cannot be committed leaves nothing behind', async () => {
      audit.failNext();
      await expect(registerLocal('unaudited')).rejects.toThrow('audit log unavailable');
      expect(await sut.listVersions('default', 'unaudited')).toEqual([]);
    });

    it('registers a remote OpenAI-compatible endpoint without weights to hash', async () => {
      await sut.register({ name: 'remote', source: { kind: 'remote_openai', endpoints: ['http://vllm-1:8000/v1'], servedModel: 'meta/llama' } }, alice);
      await sut.approve({ model: 'remote', version: 1 }, bob);
      await sut.promote({ model: 'remote', version: 1 }, bob);
      expect(await sut.resolve('default', 'remote')).toMatchObject({
        sha256: null,
        deployment: 'remote',
        source: { kind: 'remote_openai', endpoints: ['http://vllm-1:8000/v1'], servedModel: 'meta/llama' },
      });
      await expect(
        sut.register({ name: 'remote', source: { kind: 'remote_openai', endpoints: ['ftp://x'], servedModel: 'm' } }, alice),
      ).rejects.toMatchObject({ code: RegistryErrorCode.InvalidInput });
    });

    it('keeps tenants apart', async () => {
      await expect(sut.resolve('other', 'tiny')).rejects.toMatchObject({ code: RegistryErrorCode.ModelNotFound });
      expect(await sut.listServable('other')).toEqual([]);
    });
  });

  describe('integrity', () => {
    it('verifies the weights before load and refuses a swapped file with an audit event and the alert metric', async () => {
      const path = await modelCopy();
      await sut.register({ name: 'guarded', source: { kind: 'local_gguf', path } }, alice);
      await sut.approve({ model: 'guarded', version: 1 }, bob);
      await sut.promote({ model: 'guarded', version: 1 }, bob);
      const resolved = await sut.resolve('default', 'guarded');
      await expect(sut.verifyIntegrity(resolved)).resolves.toBeUndefined();

      const bytes = await readFile(path);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
      await writeFile(path, bytes);
      await expect(sut.verifyIntegrity(resolved)).rejects.toMatchObject({ code: RegistryErrorCode.IntegrityMismatch });
      expect(audit.events.map((event) => `${event.action}:${event.outcome}`)).toEqual(
        expect.arrayContaining(['model_version.integrity_verified:success', 'model_version.integrity_failed:failure']),
      );
      const metric = await metrics.getSingleMetric('attest_model_integrity_failures_total')!.get();
      expect(metric.values).toEqual([expect.objectContaining({ labels: { model: 'guarded', version: '1' }, value: 1 })]);
    });
  });
});
