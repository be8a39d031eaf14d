import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_MODEL, locateBuiltinModel, resolveStoredPath } from './builtin-model';
import { sha256File, verifyFileSha256 } from './file-digest';
import { RegistryErrorCode } from './registry.errors';

describe(sha256File.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-digest-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes the built-in model to the digest its README publishes, reporting progress up to the full size', async () => {
    const path = locateBuiltinModel(__dirname)!;
    const progress: number[] = [];
    const sut = await sha256File(path, (hashed, total) => {
      expect(total).toBe(1_185_344);
      progress.push(hashed);
    });
    expect(sut).toEqual({ sha256: BUILTIN_MODEL.sha256, size: 1_185_344 });
    expect(progress.at(-1)).toBe(1_185_344);
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a file whose digest differs from the pinned one', async () => {
    const path = join(dir, 'swapped.gguf');
    await writeFile(path, 'not the approved weights');
    await expect(verifyFileSha256(path, BUILTIN_MODEL.sha256)).rejects.toMatchObject({
      code: RegistryErrorCode.IntegrityMismatch,
      message: expect.stringContaining(`pinned ${BUILTIN_MODEL.sha256}`),
    });
  });

  it('reports a missing file as unavailable', async () => {
    await expect(sha256File(join(dir, 'missing.gguf'))).rejects.toMatchObject({ code: RegistryErrorCode.FileUnavailable });
  });
});

describe(locateBuiltinModel.name, () => {
  it('finds models/builtin from any folder below the repository root, and nothing outside it', () => {
    const root = join(__dirname, '../../../..');
    expect(locateBuiltinModel(join(root, 'apps', 'cli', 'src'))).toBe(join(root, 'models', 'builtin', BUILTIN_MODEL.fileName));
    expect(locateBuiltinModel('/')).toBeUndefined();
  });

  it('maps a stored @builtin/ path next to the configured built-in model, and leaves others alone', () => {
    expect(resolveStoredPath('@builtin/stories260k-f32-v3.gguf', '/opt/attest/models/builtin/x.gguf')).toBe('/opt/attest/models/builtin/stories260k-f32-v3.gguf');
    expect(resolveStoredPath('@builtin/../../etc/passwd', '/opt/m/x.gguf')).toBe('/opt/m/passwd');
    expect(resolveStoredPath('/srv/models/llama.gguf', '/opt/m/x.gguf')).toBe('/srv/models/llama.gguf');
  });
});
