import { writeFile } from 'node:fs/promises';

/** One low-rank update `W' = W + scale * (alpha / rank) * B·A` of a model weight, in ggml's [columns, rows] order. */
export interface LoraTarget {
  /** The base model's tensor, e.g. `blk.0.attn_q.weight`. */
  tensor: string;
  /** Input width of the weight (ggml ne[0]). */
  inputs: number;
  /** Output height of the weight (ggml ne[1]). */
  outputs: number;
}

export interface LoraAdapterOptions {
  architecture: string;
  targets: LoraTarget[];
  rank: number;
  alpha: number;
  /** Produces the adapter's values deterministically (a seeded generator), so tests and benchmarks repeat. */
  seed: number;
  /** Spread of the random values; larger moves the output further from the base model's. */
  magnitude: number;
}

const ggufAlignment = 32;
const ggmlTypeF32 = 0;
const ggufValueType = { uint32: 4, float32: 6, string: 8 } as const;

/**
 * Writes a LoRA adapter in llama.cpp's GGUF adapter format (GGUF v3, `general.type = adapter`, tensors
 * `<weight>.lora_a` [inputs, rank] and `<weight>.lora_b` [rank, outputs], F32). Real adapters come from fine-tuning
 * (llama.cpp's convert_lora_to_gguf.py); this one holds seeded random values, enough to prove that an adapter is
 * applied per model version on shared base weights.
 *
 * @example
 * await writeLoraAdapterGguf('tmp/lora.gguf', { architecture: 'llama', rank: 4, alpha: 4, seed: 7, magnitude: 0.5,
 *   targets: [{ tensor: 'blk.0.attn_q.weight', inputs: 64, outputs: 64 }] });
 */
export async function writeLoraAdapterGguf(path: string, options: LoraAdapterOptions): Promise<void> {
  const random = seededRandom(options.seed);
  const tensors = options.targets.flatMap((target) => [
    { name: `${target.tensor}.lora_a`, dims: [target.inputs, options.rank] },
    { name: `${target.tensor}.lora_b`, dims: [options.rank, target.outputs] },
  ]);
  const data = tensors.map((tensor) => {
    const values = new Float32Array(tensor.dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i += 1) values[i] = (random() * 2 - 1) * options.magnitude;
    return Buffer.from(values.buffer);
  });
  const parts: Buffer[] = [];
  const u32 = (value: number) => parts.push(Buffer.from(new Uint32Array([value]).buffer));
  const u64 = (value: number) => parts.push(Buffer.from(new BigUint64Array([BigInt(value)]).buffer));
  const str = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    u64(bytes.length);
    parts.push(bytes);
  };
  const metadata: [string, number, () => void][] = [
    ['general.architecture', ggufValueType.string, () => str(options.architecture)],
    ['general.type', ggufValueType.string, () => str('adapter')],
    ['adapter.type', ggufValueType.string, () => str('lora')],
    ['adapter.lora.alpha', ggufValueType.float32, () => parts.push(Buffer.from(new Float32Array([options.alpha]).buffer))],
    ['general.alignment', ggufValueType.uint32, () => u32(ggufAlignment)],
  ];
  parts.push(Buffer.from('GGUF', 'ascii'));
  u32(3);
  u64(tensors.length);
  u64(metadata.length);
  for (const [key, type, write] of metadata) {
    str(key);
    u32(type);
    write();
  }
  let offset = 0;
  tensors.forEach((tensor, index) => {
    str(tensor.name);
    u32(tensor.dims.length);
    tensor.dims.forEach(u64);
    u32(ggmlTypeF32);
    u64(offset);
    offset = align(offset + (data[index]?.length ?? 0));
  });
  const header = Buffer.concat(parts);
  const body = data.map((bytes) => Buffer.concat([bytes, Buffer.alloc(align(bytes.length) - bytes.length)]));
  await writeFile(path, Buffer.concat([header, Buffer.alloc(align(header.length) - header.length), ...body]));
}

function align(value: number): number {
  return Math.ceil(value / ggufAlignment) * ggufAlignment;
}

/** mulberry32: a small, well-spread 32-bit generator; reproducible across runs and machines. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
