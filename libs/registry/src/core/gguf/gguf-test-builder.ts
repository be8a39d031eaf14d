// Crafts GGUF bytes for specs: valid files with chosen metadata, and the broken or hostile pieces around them.
import { GgufValueType } from './gguf-types';

export const u32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
};

export const u64 = (value: number | bigint): Buffer => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer;
};

export const str = (text: string | Buffer): Buffer => {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return Buffer.concat([u64(bytes.length), bytes]);
};

export type TestValue =
  | { string: string }
  | { u32: number }
  | { u64: number | bigint }
  | { f32: number }
  | { bool: number }
  | { strings: string[] }
  | { u32s: number[] };

export function encodeValue(value: TestValue): Buffer {
  if ('string' in value) return Buffer.concat([u32(GgufValueType.String), str(value.string)]);
  if ('u32' in value) return Buffer.concat([u32(GgufValueType.Uint32), u32(value.u32)]);
  if ('u64' in value) return Buffer.concat([u32(GgufValueType.Uint64), u64(value.u64)]);
  if ('f32' in value) {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value.f32);
    return Buffer.concat([u32(GgufValueType.Float32), buffer]);
  }
  if ('bool' in value) return Buffer.concat([u32(GgufValueType.Bool), Buffer.from([value.bool])]);
  if ('strings' in value) {
    return Buffer.concat([u32(GgufValueType.Array), u32(GgufValueType.String), u64(value.strings.length), ...value.strings.map((s) => str(s))]);
  }
  return Buffer.concat([u32(GgufValueType.Array), u32(GgufValueType.Uint32), u64(value.u32s.length), ...value.u32s.map((n) => u32(n))]);
}

export interface TestTensor {
  name: string;
  dims: number[];
  /** ggml type id; 0 = F32. */
  type?: number;
  offset?: number;
}

export interface TestGguf {
  version?: number;
  /** Raw metadata entries; each is key + encoded value. Defaults to a minimal llama header. */
  kv?: [string, TestValue][];
  tensors?: TestTensor[];
  alignment?: number;
}

/** A well-formed GGUF v3 file (F32 tensors laid out back to back, data zero-filled). */
export function buildGguf(spec: TestGguf = {}): Buffer {
  const kv = spec.kv ?? [
    ['general.architecture', { string: 'llama' }],
    ['llama.context_length', { u32: 256 }],
  ];
  const tensors = spec.tensors ?? [{ name: 'token_embd.weight', dims: [8, 4] }];
  const alignment = spec.alignment ?? 32;
  const header = [u32(0x46554747), u32(spec.version ?? 3), u64(tensors.length), u64(kv.length)];
  const entries = kv.map(([key, value]) => Buffer.concat([str(key), encodeValue(value)]));
  let nextOffset = 0;
  const infos = tensors.map((tensor) => {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    const offset = tensor.offset ?? nextOffset;
    nextOffset = Math.ceil((offset + elements * 4) / alignment) * alignment;
    return Buffer.concat([str(tensor.name), u32(tensor.dims.length), ...tensor.dims.map((d) => u64(d)), u32(tensor.type ?? 0), u64(offset)]);
  });
  const head = Buffer.concat([...header, ...entries, ...infos]);
  const padding = Buffer.alloc((alignment - (head.length % alignment)) % alignment);
  // Capped: specs about impossible tensor sizes need the header, not the data.
  return Buffer.concat([head, padding, Buffer.alloc(Math.min(nextOffset, 1 << 20))]);
}

/** Header bytes followed by `rest`: for hand-made broken metadata sections. */
export function rawGguf(kvCount: number | bigint, rest: Buffer, tensorCount: number | bigint = 0, version = 3): Buffer {
  return Buffer.concat([u32(0x46554747), u32(version), u64(tensorCount), u64(kvCount), rest]);
}
