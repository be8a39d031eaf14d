/**
 * A larger llama model for the gateway benchmark: the demo model's tokenizer and metadata with wider, deeper layers of
 * seeded random weights (F32). It writes gibberish, but each token costs the CPU what a model of its size costs, so the
 * gateway's fixed costs can be compared with a model slower than the 260K-parameter demo. The end-of-sequence row of
 * the output projection is zero, so greedy decoding never picks it and every request generates all its tokens.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '@attest/inference';
import { GGUF_SCALAR_BYTES, GgufValueType } from '@attest/registry';

export interface SyntheticShape {
  embedding: number;
  layers: number;
  feedForward: number;
  heads: number;
  kvHeads: number;
  seed: number;
}

const GGUF_ALIGNMENT = 32;
const EOS_TOKEN = 2;

/** The raw bytes of every metadata entry of a GGUF v3 file, by key, and its vocabulary size. */
function readMetadata(path: string): { entries: Map<string, Buffer>; vocabulary: number } {
  const bytes = readFileSync(path);
  let at = 8; // magic, version
  const u32 = (): number => { const value = bytes.readUInt32LE(at); at += 4; return value; };
  const u64 = (): number => { const value = Number(bytes.readBigUInt64LE(at)); at += 8; return value; };
  const skip = (type: number): void => {
    if (type === GgufValueType.String) { const length = u64(); at += length; return; }
    if (type === GgufValueType.Array) { const inner = u32(); const count = u64(); for (let i = 0; i < count; i++) skip(inner); return; }
    at += GGUF_SCALAR_BYTES[type as GgufValueType] ?? Number.NaN;
  };
  u64(); // tensor count
  const count = u64();
  const entries = new Map<string, Buffer>();
  let vocabulary = 0;
  for (let i = 0; i < count; i++) {
    const start = at;
    const keyLength = u64();
    const key = bytes.toString('utf8', at, at + keyLength);
    at += keyLength;
    const type = u32();
    if (key === 'tokenizer.ggml.tokens') vocabulary = Number(bytes.readBigUInt64LE(at + 4));
    skip(type);
    entries.set(key, bytes.subarray(start, at));
  }
  return { entries, vocabulary };
}

/** Writes the synthetic model to `path`; returns its parameter count. */
export async function writeSyntheticModel(basePath: string, path: string, shape: SyntheticShape): Promise<number> {
  const { entries, vocabulary } = readMetadata(basePath);
  const overrides: Record<string, number | string> = {
    'general.name': `attest-synthetic-${shape.embedding}d-${shape.layers}l`,
    'llama.embedding_length': shape.embedding,
    'llama.block_count': shape.layers,
    'llama.feed_forward_length': shape.feedForward,
    'llama.attention.head_count': shape.heads,
    'llama.attention.head_count_kv': shape.kvHeads,
    'llama.rope.dimension_count': shape.embedding / shape.heads,
  };
  const header: Buffer[] = [];
  const u32 = (value: number) => header.push(Buffer.from(new Uint32Array([value]).buffer));
  const u64 = (value: number) => header.push(Buffer.from(new BigUint64Array([BigInt(value)]).buffer));
  const str = (value: string) => { const bytes = Buffer.from(value, 'utf8'); u64(bytes.length); header.push(bytes); };
  const kv = shape.embedding / shape.heads * shape.kvHeads;
  const tensors: { name: string; dims: number[]; kind: 'weight' | 'norm' | 'output' }[] = [{ name: 'token_embd.weight', dims: [shape.embedding, vocabulary], kind: 'weight' }];
  for (let layer = 0; layer < shape.layers; layer++) {
    const at = (name: string) => `blk.${layer}.${name}.weight`;
    tensors.push(
      { name: at('attn_q'), dims: [shape.embedding, shape.embedding], kind: 'weight' },
      { name: at('attn_k'), dims: [shape.embedding, kv], kind: 'weight' },
      { name: at('attn_v'), dims: [shape.embedding, kv], kind: 'weight' },
      { name: at('attn_output'), dims: [shape.embedding, shape.embedding], kind: 'weight' },
      { name: at('ffn_gate'), dims: [shape.embedding, shape.feedForward], kind: 'weight' },
      { name: at('ffn_down'), dims: [shape.feedForward, shape.embedding], kind: 'weight' },
      { name: at('ffn_up'), dims: [shape.embedding, shape.feedForward], kind: 'weight' },
      { name: at('attn_norm'), dims: [shape.embedding], kind: 'norm' },
      { name: at('ffn_norm'), dims: [shape.embedding], kind: 'norm' },
    );
  }
  tensors.push({ name: 'output_norm.weight', dims: [shape.embedding], kind: 'norm' }, { name: 'output.weight', dims: [shape.embedding, vocabulary], kind: 'output' });

  header.push(Buffer.from('GGUF', 'ascii'));
  u32(3);
  u64(tensors.length);
  u64(entries.size);
  for (const [key, raw] of entries) {
    const value = overrides[key];
    if (value === undefined) { header.push(raw); continue; }
    str(key);
    if (typeof value === 'string') { u32(GgufValueType.String); str(value); } else { u32(GgufValueType.Uint32); u32(value); }
  }
  let offset = 0;
  const sizes = tensors.map((tensor) => tensor.dims.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((tensor, index) => {
    str(tensor.name);
    u32(tensor.dims.length);
    tensor.dims.forEach(u64);
    u32(0); // F32
    u64(offset);
    offset += Math.ceil((sizes[index] as number) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  });
  const headerBytes = Buffer.concat(header);
  const out = createWriteStream(path);
  const write = async (chunk: Buffer) => { if (!out.write(chunk)) await once(out, 'drain'); };
  await write(headerBytes);
  await write(Buffer.alloc((GGUF_ALIGNMENT - (headerBytes.length % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT));
  const random = seededRandom(shape.seed);
  let parameters = 0;
  for (const [index, tensor] of tensors.entries()) {
    const values = new Float32Array(tensor.dims.reduce((a, b) => a * b, 1));
    parameters += values.length;
    const spread = 1 / Math.sqrt(tensor.dims[0] as number);
    for (let i = 0; i < values.length; i++) values[i] = tensor.kind === 'norm' ? 1 : (random() * 2 - 1) * spread * 1.7;
    if (tensor.kind === 'output') values.fill(0, EOS_TOKEN * shape.embedding, (EOS_TOKEN + 1) * shape.embedding);
    const bytes = Buffer.from(values.buffer);
    await write(bytes);
    await write(Buffer.alloc(Math.ceil((sizes[index] as number) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT - bytes.length));
  }
  out.end();
  await once(out, 'finish');
  return parameters;
}
