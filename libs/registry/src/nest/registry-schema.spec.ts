import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGguf } from '../core/gguf/gguf-test-builder';
import { RegistryErrorCode } from '../core/registry.errors';
import { ModelRegistryService } from './model-registry.service';
import { translateDatabaseError } from './registry-db-errors';
import { actor, builtinModelPath, modelCopy, recordingAudit, removeModelCopies } from './registry-test-kit';

/** The migration's triggers hold even against SQL written around the service. */
describe('registry schema guards', () => {
  let db: TestDatabase;
  let sut: ModelRegistryService;
  let adapterDir: string;
  let approvedId: string;

  const sqlError = (sql: string, parameters: unknown[] = []) =>
    db.dataSource.query(sql, parameters).then(
      () => undefined,
      (error: unknown) => translateDatabaseError(error, 'sql'),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = new ModelRegistryService(db.dataSource, recordingAudit(), { builtinModelPath: builtinModelPath(), registerBuiltinModel: false });
    adapterDir = await mkdtemp(join(tmpdir(), 'attest-lora-'));
    const adapterPath = join(adapterDir, 'style.gguf');
    await writeFile(adapterPath, buildGguf({ kv: [['general.architecture', { string: 'llama' }], ['general.type', { string: 'adapter' }]] }));
    const registered = await sut.register(
      { name: 'pinned', source: { kind: 'local_gguf', path: await modelCopy() }, loraAdapters: [{ name: 'style', path: adapterPath, scale: 0.5 }] },
      actor('alice'),
    );
    expect(registered.loraAdapters).toEqual([expect.objectContaining({ name: 'style', path: adapterPath, scale: 0.5, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    approvedId = (await sut.approve({ model: 'pinned', version: 1 }, actor('bob'))).id;
  });
  afterAll(async () => {
    await db.drop();
    await removeModelCopies();
    await rm(adapterDir, { recursive: true, force: true });
  });

  it.each([
    ['the model card', `UPDATE model_version SET card = 'edited' WHERE id = $1`],
    ['the weights digest', `UPDATE model_version SET file_sha256 = repeat('0', 64) WHERE id = $1`],
    ['the data classification', `UPDATE model_version SET data_classification = 'secret' WHERE id = $1`],
    ['the approver', `UPDATE model_version SET approved_by_actor = 'mallory' WHERE id = $1`],
    ['its existence', `DELETE FROM model_version WHERE id = $1`],
    ['its adapters', `UPDATE model_lora_adapter SET sha256 = repeat('0', 64) WHERE model_version_id = $1`],
    ['its adapter list', `INSERT INTO model_lora_adapter (model_version_id, name, path, sha256, size) VALUES ($1, 'extra', '/x', repeat('0', 64), 1)`],
    ['its approval record', `UPDATE model_version_approval SET actor = 'mallory' WHERE model_version_id = $1`],
  ])('keeps %s of an approved version immutable', async (_field, sql) => {
    expect(await sqlError(sql, [approvedId])).toMatchObject({ code: RegistryErrorCode.Immutable });
  });

  it('refuses a lifecycle step skipped in SQL', async () => {
    const draft = await sut.register({ name: 'skipper', source: { kind: 'local_gguf', path: await modelCopy() } }, actor('alice'));
    await expect(db.dataSource.query(`UPDATE model_version SET status = 'approved', approved_by_actor = 'bob' WHERE id = $1`, [draft.id])).resolves.toBeDefined();
    expect(await sqlError(`UPDATE model_version SET status = 'draft' WHERE id = $1`, [draft.id])).toMatchObject({ code: RegistryErrorCode.InvalidTransition });
  });

  it('refuses a self-approval and an active version nobody approved', async () => {
    const draft = await sut.register({ name: 'selfie', source: { kind: 'local_gguf', path: await modelCopy() } }, actor('alice'));
    expect(await sqlError(`UPDATE model_version SET status = 'approved', approved_by_actor = 'alice' WHERE id = $1`, [draft.id])).toMatchObject({
      code: RegistryErrorCode.FourEyesRequired,
    });
    expect(await sqlError(`UPDATE model_version SET status = 'approved' WHERE id = $1`, [draft.id])).toMatchObject({ code: RegistryErrorCode.InvalidInput });
  });
});
