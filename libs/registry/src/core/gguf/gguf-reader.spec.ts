import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, RegistryErrorCode } from '../registry.errors';
import { buildGguf, rawGguf, str, u32, u64 } from './gguf-test-builder';
import { readGgufMetadata, readGgufMetadataFromBytes } from './gguf-reader';
import { GgufValueType } from './gguf-types';

const builtinModel = join(__dirname, '../../../../../models/builtin/stories260k-f32-v3.gguf');

async function refusal(bytes: Buffer): Promise<RegistryError> {
  const error = await readGgufMetadataFromBytes(bytes).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).code).toBe(RegistryErrorCode.InvalidGguf);
  return error as RegistryError;
}

const kvString = (key: string, value: Buffer): Buffer => Buffer.concat([str(key), u32(GgufValueType.String), value]);

describe(readGgufMetadata.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-gguf-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  describe('on the built-in stories260k model', () => {
    it('reads architecture, context length, quantisation and sizes from the header', async () => {
      const sut = await readGgufMetadata(builtinModel);
      expect(sut).toMatchObject({
        version: 3,
        architecture: 'llama',
        name: 'tinyllamas-stories-260k',
        contextLength: 512,
        embeddingLength: 64,
        blockCount: 5,
        headCount: 8,
        headCountKv: 4,
        vocabularySize: 512,
        tensorCount: 48,
        quantisation: { name: 'F32', source: 'tensor_types' },
        fileSize: 1_185_344,
      });
      // 1,171,200 bytes of F32 tensor data (README) = 292,800 parameters, ending exactly at the end of the file.
      expect(sut.parameterCount).toBe(292_800);
      expect(sut.tensorDataOffset + sut.parameterCount * 4).toBe(sut.fileSize);
      expect(sut.metadata['tokenizer.ggml.tokens']).toEqual({ type: 'array', elementType: 'string', length: 512 });
      expect(sut.chatTemplate).toBeUndefined();
    });

    it('reads the same from bytes in memory', async () => {
      const bytes = await readFile(builtinModel);
      expect(await readGgufMetadataFromBytes(bytes)).toEqual(await readGgufMetadata(builtinModel));
    });

    it('refuses the model cut short inside its tensor data', async () => {
      const bytes = await readFile(builtinModel);
      const error = await refusal(bytes.subarray(0, 1_000_000));
      expect(error.message).toMatch(/truncated: tensor data ends at byte 1185344 but the file has 1000000 bytes/);
    });

    it('refuses the model cut short inside its header', async () => {
      const error = await refusal((await readFile(builtinModel)).subarray(0, 700));
      expect(error.message).toContain('truncated');
    });
  });

  it('reads chat template, licence, file type and parameter count when the header has them', async () => {
    const sut = await readGgufMetadataFromBytes(
      buildGguf({
        kv: [
          ['general.architecture', { string: 'qwen2' }],
          ['general.name', { string: 'Tiny' }],
          ['general.license', { string: 'apache-2.0' }],
          ['general.file_type', { u32: 15 }],
          ['general.parameter_count', { u64: 494_032_768 }],
          ['qwen2.context_length', { u32: 32768 }],
          ['tokenizer.chat_template', { string: '{% for m in messages %}{{ m.content }}{% endfor %}' }],
          ['tokenizer.ggml.tokens', { strings: ['a', 'b', 'c'] }],
          ['__proto__', { string: 'just data' }],
        ],
      }),
    );
    expect(sut).toMatchObject({
      architecture: 'qwen2',
      licence: 'apache-2.0',
      contextLength: 32768,
      parameterCount: 494_032_768,
      quantisation: { name: 'Q4_K_M', fileType: 15, source: 'general.file_type' },
      chatTemplate: '{% for m in messages %}{{ m.content }}{% endfor %}',
      vocabularySize: 3,
    });
    expect(Object.getPrototypeOf(sut.metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(sut.metadata, '__proto__')?.value).toBe('just data');
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /only 0 bytes/],
    ['a text file', Buffer.from('hello, this is not a model at all\n'), /magic bytes are not "GGUF"/],
    ['GGUF v1', buildGguf({ version: 1 }), /v1 is not supported/],
    ['an unknown version', buildGguf({ version: 9 }), /unsupported GGUF version 9/],
    ['a big-endian file', Buffer.concat([u32(0x46554747), u32(0x03000000), Buffer.alloc(64)]), /big-endian/],
    ['a key longer than the file', rawGguf(1, Buffer.concat([u64(1000), Buffer.from('general')])), /needs 1000 bytes but only 7 remain/],
    ['a 2^63-byte string', rawGguf(1, Buffer.concat([str('general.name'), u32(GgufValueType.String), u64(2n ** 63n)])), /above the limit/],
    ['2^40 key/values', rawGguf(2n ** 40n, Buffer.alloc(0)), /metadata key\/value count is 1099511627776, above the limit/],
    ['2^40 tensors', rawGguf(0, Buffer.alloc(0), 2n ** 40n), /tensor count .* above the limit/],
    [
      'an array claiming more elements than the file holds',
      rawGguf(1, Buffer.concat([str('tokenizer.ggml.scores'), u32(GgufValueType.Array), u32(GgufValueType.Float32), u64(1_000_000)])),
      /truncated: array tokenizer.ggml.scores of 1000000 float32 needs 4000000 bytes/,
    ],
    [
      'an array longer than the limit',
      rawGguf(1, Buffer.concat([str('x'), u32(GgufValueType.Array), u32(GgufValueType.Uint8), u64(2n ** 40n)])),
      /length of array x is 1099511627776, above the limit/,
    ],
    [
      'arrays nested too deep',
      rawGguf(1, Buffer.concat([str('x'), u32(GgufValueType.Array), u32(GgufValueType.Array), u64(1), u32(GgufValueType.Array)])),
      /nests arrays deeper than 2/,
    ],
    ['an unknown value type', rawGguf(1, Buffer.concat([str('x'), u32(77), u32(1)])), /x has unknown value type 77/],
    ['invalid UTF-8', rawGguf(1, kvString('general.name', str(Buffer.from([0xff, 0xfe])))), /not valid UTF-8/],
    ['a NUL in a string', rawGguf(1, kvString('general.name', str('a\u0000b'))), /NUL character/],
    ['a bool of value 7', rawGguf(1, Buffer.concat([str('flag'), u32(GgufValueType.Bool), Buffer.from([7])])), /bool of value 7/],
    ['a duplicate key', buildGguf({ kv: [['general.architecture', { string: 'llama' }], ['general.architecture', { string: 'x' }]] }), /duplicate metadata key "general.architecture"/],
    ['no architecture', buildGguf({ kv: [['general.name', { string: 'x' }]] }), /no general.architecture/],
    ['an architecture that is a number', buildGguf({ kv: [['general.architecture', { u32: 1 }]] }), /general.architecture should be a string/],
    ['a context length that is a string', buildGguf({ kv: [['general.architecture', { string: 'llama' }], ['llama.context_length', { string: '512' }]] }), /llama.context_length should be a non-negative integer/],
    ['an alignment of 3', buildGguf({ kv: [['general.architecture', { string: 'llama' }], ['general.alignment', { u32: 3 }]] }), /alignment 3 is not a power of two/],
    ['a tensor of 5 dimensions', buildGguf({ tensors: [{ name: 't', dims: [1, 1, 1, 1, 1] }] }), /tensor t has 5 dimensions/],
    ['a misaligned tensor', buildGguf({ tensors: [{ name: 't', dims: [4], offset: 4 }] }), /not aligned to 32/],
    ['a duplicate tensor name', buildGguf({ tensors: [{ name: 't', dims: [4] }, { name: 't', dims: [4] }] }), /duplicate tensor name "t"/],
    ['a tensor that does not fill its blocks', buildGguf({ tensors: [{ name: 'q', dims: [33], type: 2 }] }), /33 elements do not fill whole Q4_0 blocks/],
    ['a tensor of 2^62 elements', buildGguf({ tensors: [{ name: 'huge', dims: [2 ** 31, 2 ** 31] }] }), /claims 4611686018427387904 elements/],
  ])('refuses %s', async (_case, bytes, message) => {
    expect((await refusal(bytes)).message).toMatch(message);
  });

  it('names the file and the byte offset in its refusal', async () => {
    const path = join(dir, 'notes.gguf');
    await writeFile(path, 'GGUF but then nothing sensible');
    await expect(readGgufMetadata(path)).rejects.toThrow(/^notes\.gguf: .*\(at byte \d+\)$/);
  });

  it('refuses a folder as INVALID_GGUF and a missing file as FILE_UNAVAILABLE', async () => {
    await expect(readGgufMetadata(dir)).rejects.toMatchObject({ code: RegistryErrorCode.InvalidGguf });
    await expect(readGgufMetadata(join(dir, 'missing.gguf'))).rejects.toMatchObject({ code: RegistryErrorCode.FileUnavailable });
  });
});
