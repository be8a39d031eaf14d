import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PullError, pullModel } from './models-pull';

describe(pullModel.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-pull-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails fast with a clear message when the model host cannot be reached, downloading nothing', async () => {
    // Port 1 on loopback refuses at once: the same path as a machine without internet, without waiting on DNS.
    const error = await pullModel('hf:ggml-org/models/tinyllamas/stories260K.gguf', join(dir, 'models'), 'http://127.0.0.1:1/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PullError);
    expect((error as PullError).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:1\/ \(.+\): this machine looks offline\. .*attest models register FILE/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a URI that does not name a GGUF file', async () => {
    await expect(pullModel('hf:someone/repo', dir)).rejects.toThrow(/is not a model URI/);
    await expect(pullModel('http://insecure.example/model.gguf', dir)).rejects.toThrow(/is not a model URI/);
  });
});
