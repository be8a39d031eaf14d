import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { parseAliasTargets } from '../core/alias-routing';
import { RegistryErrorCode } from '../core/registry.errors';
import { ModelRegistryService } from './model-registry.service';
import { actor, builtinModelPath, modelCopy, recordingAudit, removeModelCopies, type RecordingAudit } from './registry-test-kit';

const alice = actor('alice');
const bob = actor('bob');

describe('ModelRegistryService aliases', () => {
  let db: TestDatabase;
  let audit: RecordingAudit;
  let sut: ModelRegistryService;
  let nextRandom = 0;

  const version = async (model: string, number: number, status: 'draft' | 'approved' | 'active') => {
    await sut.register({ name: model, version: number, source: { kind: 'local_gguf', path: await modelCopy() } }, alice);
    if (status !== 'draft') await sut.approve({ model, version: number }, bob);
    if (status === 'active') await sut.promote({ model, version: number }, bob);
  };
  const route = (name: string, ...targets: string[]) => sut.setAlias({ name, targets: parseAliasTargets(targets) }, alice);

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = recordingAudit();
    sut = new ModelRegistryService(db.dataSource, audit, { builtinModelPath: builtinModelPath(), registerBuiltinModel: false, random: () => nextRandom });
    await version('llama', 1, 'active');
    await version('llama', 2, 'approved');
    await version('llama', 3, 'draft');
  });
  afterAll(async () => {
    await db.drop();
    await removeModelCopies();
  });

  it('splits traffic between versions by weight (canary), naming alias and revision in the answer', async () => {
    const alias = await route('summarizer', 'llama@1:90', 'llama@2:10');
    expect(alias).toMatchObject({ name: 'summarizer', revision: 1, targets: [expect.objectContaining({ version: 1, weight: 90 }), expect.objectContaining({ version: 2, weight: 10 })] });
    nextRandom = 0.5;
    expect(await sut.resolve('default', 'summarizer')).toMatchObject({ alias: 'summarizer', aliasRevision: 1, modelName: 'llama', version: 1 });
    nextRandom = 0.95;
    expect(await sut.resolve('default', 'summarizer')).toMatchObject({ alias: 'summarizer', version: 2, status: 'approved' });
    expect((await sut.listServable('default')).map((entry) => entry.id)).toEqual(['llama', 'summarizer']);
    expect(audit.events.at(-1)).toMatchObject({ action: 'model_alias.updated', resource: { type: 'model_alias', alias: 'summarizer' }, details: { targets: ['llama@1:90', 'llama@2:10'] } });
  });

  it('refuses to route to a draft, to an unknown version, or with bad weights', async () => {
    await expect(route('drafty', 'llama@3')).rejects.toMatchObject({ code: RegistryErrorCode.AliasTargetNotServable });
    await expect(route('ghost', 'llama@9')).rejects.toMatchObject({ code: RegistryErrorCode.ModelNotFound });
    await expect(route('bad name!', 'llama@1')).rejects.toMatchObject({ code: RegistryErrorCode.InvalidInput });
    // Nothing half-written: the refused alias does not exist.
    await expect(sut.resolve('default', 'drafty')).rejects.toMatchObject({ code: RegistryErrorCode.ModelNotFound });
  });

  it('rolls back in one act, and repeated rollbacks keep walking back', async () => {
    await route('chat', 'llama@1');
    await route('chat', 'llama@1:50', 'llama@2:50');
    await route('chat', 'llama@2');
    const first = await sut.rollbackAlias({ name: 'chat' }, bob);
    expect(first).toMatchObject({ revision: 4, targets: [expect.objectContaining({ version: 1, weight: 50 }), expect.objectContaining({ version: 2, weight: 50 })] });
    const second = await sut.rollbackAlias({ name: 'chat' }, bob);
    expect(second).toMatchObject({ revision: 5, targets: [expect.objectContaining({ version: 1, weight: 1 })] });
    await expect(sut.rollbackAlias({ name: 'chat' }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.NothingToRollBack });
    expect((await sut.aliasHistory('default', 'chat')).map((entry) => [entry.revision, entry.restoredRevision])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 2],
      [5, 1],
    ]);
    expect(audit.events.at(-1)).toMatchObject({ action: 'model_alias.rolled_back', actor: { principalId: 'bob' }, details: { restoredRevision: 1 } });
    await expect(sut.rollbackAlias({ name: 'nope' }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.AliasNotFound });
  });

  it('refuses to retire a routed version, and to roll an alias back onto a retired one', async () => {
    await version('qwen', 1, 'active');
    await version('qwen', 2, 'active');
    await route('coder', 'qwen@1');
    await expect(sut.retire({ model: 'qwen', version: 1 }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.VersionInUse, message: expect.stringContaining('coder') });
    await route('coder', 'qwen@2');
    await sut.retire({ model: 'qwen', version: 1 }, bob);
    await expect(sut.rollbackAlias({ name: 'coder' }, bob)).rejects.toMatchObject({ code: RegistryErrorCode.AliasTargetNotServable });
    expect(await sut.resolve('default', 'coder')).toMatchObject({ modelName: 'qwen', version: 2, aliasRevision: 2 });
  });
});
