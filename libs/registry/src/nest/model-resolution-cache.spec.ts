import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { RegistryErrorCode } from '../core/registry.errors';
import { ModelRegistryService } from './model-registry.service';
import { actor, builtinModelPath, modelCopy, recordingAudit, removeModelCopies } from './registry-test-kit';

const alice = actor('alice');
const bob = actor('bob');
const TTL_MS = 300;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolutions are kept briefly: this instance's acts clear them at once, another process's acts show within the ttl. */
describe('ModelRegistryService resolution cache', () => {
  let db: TestDatabase;
  let sut: ModelRegistryService;
  /** Another replica, or the CLI, on the same database. */
  let elsewhere: ModelRegistryService;
  let queries = 0;

  const activeVersion = async (registry: ModelRegistryService, model: string, version: number) => {
    await registry.register({ name: model, version, source: { kind: 'local_gguf', path: await modelCopy() } }, alice);
    await registry.approve({ model, version }, bob);
    await registry.promote({ model, version }, bob);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = { builtinModelPath: builtinModelPath(), registerBuiltinModel: false, resolutionCacheMs: TTL_MS };
    sut = new ModelRegistryService(db.dataSource, recordingAudit(), options);
    elsewhere = new ModelRegistryService(db.dataSource, recordingAudit(), options);
    const query = db.dataSource.query.bind(db.dataSource);
    db.dataSource.query = ((...args: Parameters<typeof query>) => {
      queries += 1;
      return query(...args);
    }) as typeof db.dataSource.query;
  });
  afterAll(async () => {
    await db.drop();
    await removeModelCopies();
  });

  it('answers repeated resolutions without reading the registry again', async () => {
    await activeVersion(sut, 'steady', 1);
    const first = await sut.resolve('default', 'steady');
    const before = queries;
    const again = await sut.resolve('default', 'steady');
    expect(queries).toBe(before);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('sees its own acts on the next request', async () => {
    await activeVersion(sut, 'own', 1);
    await activeVersion(sut, 'own', 2);
    expect((await sut.resolve('default', 'own')).version).toBe(2);
    await sut.retire({ model: 'own', version: 2 }, bob, 'pulled');
    expect((await sut.resolve('default', 'own')).version).toBe(1);
  });

  it('sees another process’s acts within the ttl, and a model registered elsewhere at once', async () => {
    await expect(sut.resolve('default', 'remote-act')).rejects.toMatchObject({ code: RegistryErrorCode.ModelNotFound });
    await activeVersion(elsewhere, 'remote-act', 1);
    await activeVersion(elsewhere, 'remote-act', 2);
    expect((await sut.resolve('default', 'remote-act')).version).toBe(2);
    await elsewhere.retire({ model: 'remote-act', version: 2 }, bob, 'pulled');
    await pause(TTL_MS + 50);
    expect((await sut.resolve('default', 'remote-act')).version).toBe(1);
  });
});
