import { basename } from 'node:path';
import { bufferSource, GgufCursor, openFileSource, type ByteSource } from './gguf-cursor';
import { GGML_TYPES, GGUF_MAGIC, GgufValueType, LLAMA_FILE_TYPES, SCALAR_BYTES, valueTypeName } from './gguf-types';

/** Bounds on every length field, so a hostile header cannot make the reader allocate or loop without end. */
export interface GgufLimits {
  maxKeyValues: number;
  maxTensors: number;
  maxKeyBytes: number;
  maxStringBytes: number;
  maxArrayLength: number;
  maxArrayDepth: number;
  maxTensorNameBytes: number;
}

export const DEFAULT_GGUF_LIMITS: Readonly<GgufLimits> = {
  maxKeyValues: 65_536,
  maxTensors: 1_048_576,
  // The GGUF spec caps keys at 65535 bytes.
  maxKeyBytes: 65_535,
  // Chat templates are the longest strings in real files (tens of KiB).
  maxStringBytes: 4 * 1024 * 1024,
  maxArrayLength: 16 * 1024 * 1024,
  maxArrayDepth: 2,
  maxTensorNameBytes: 4096,
};

/** Arrays longer than this are kept as a summary (vocabularies, merges), not their values. */
const INLINE_ARRAY_LENGTH = 32;
const GGML_MAX_DIMS = 4;

export type GgufArraySummary = { type: 'array'; elementType: string; length: number };
export type GgufValue = number | string | boolean | GgufValue[] | GgufArraySummary;

export interface GgufQuantisation {
  /** `Q4_K_M`, `F16`, `F32`, ... */
  name: string;
  /** `general.file_type` when the file has it. */
  fileType?: number;
  /** Where the name came from: the header's file type, or the tensor type holding most parameters. */
  source: 'general.file_type' | 'tensor_types';
}

/** What the registry records from a GGUF header (the file's own claims; the sha256 is what pins it). */
export interface GgufMetadata {
  version: number;
  fileSize: number;
  tensorCount: number;
  architecture: string;
  name?: string;
  licence?: string;
  sizeLabel?: string;
  /** `general.parameter_count` when present, else the sum of the tensors' element counts. */
  parameterCount: number;
  quantisation: GgufQuantisation;
  /** Parameters per ggml tensor type, e.g. `{ F32: 292928 }`. */
  tensorTypes: Record<string, number>;
  contextLength?: number;
  embeddingLength?: number;
  blockCount?: number;
  headCount?: number;
  headCountKv?: number;
  vocabularySize?: number;
  chatTemplate?: string;
  alignment: number;
  tensorDataOffset: number;
  /** Every key/value; long arrays as summaries. JSON-safe (64-bit integers beyond 2^53 as strings). */
  metadata: Record<string, GgufValue>;
}

/**
 * Reads a GGUF file's header (metadata key/values and tensor records) with plain positional reads, without loading
 * the model. Refuses anything that is not a well-formed GGUF v2/v3 file whose tensor data fits in the file.
 *
 * @example
 * const meta = await readGgufMetadata('models/builtin/stories260k-f32-v3.gguf');
 * meta.architecture; // 'llama'
 * meta.contextLength; // 512
 * @throws RegistryError INVALID_GGUF (malformed, truncated, hostile) or FILE_UNAVAILABLE (cannot open)
 */
export async function readGgufMetadata(path: string, limits: Partial<GgufLimits> = {}): Promise<GgufMetadata> {
  const source = await openFileSource(path);
  try {
    return await parseGguf(source, basename(path), { ...DEFAULT_GGUF_LIMITS, ...limits });
  } finally {
    await source.close();
  }
}

/** {@link readGgufMetadata} over bytes already in memory. */
export function readGgufMetadataFromBytes(bytes: Uint8Array, limits: Partial<GgufLimits> = {}): Promise<GgufMetadata> {
  return parseGguf(bufferSource(bytes), 'GGUF buffer', { ...DEFAULT_GGUF_LIMITS, ...limits });
}

async function parseGguf(source: ByteSource, label: string, limits: GgufLimits): Promise<GgufMetadata> {
  const cursor = new GgufCursor(source, label);
  if (source.size < 4) throw cursor.fail(`not a GGUF file: only ${source.size} bytes`);
  const magic = await cursor.u32('magic');
  if (magic !== GGUF_MAGIC) throw cursor.fail('not a GGUF file: the magic bytes are not "GGUF"', 0);
  const version = await cursor.u32('version');
  if (version === 1) throw cursor.fail('GGUF v1 is not supported: convert the model again with a current llama.cpp', 4);
  if (version !== 2 && version !== 3) {
    const swapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    const why = swapped === 2 || swapped === 3 ? 'big-endian GGUF files are not supported' : `unsupported GGUF version ${version}`;
    throw cursor.fail(why, 4);
  }
  const tensorCount = await cursor.count('tensor count', limits.maxTensors);
  const kvCount = await cursor.count('metadata key/value count', limits.maxKeyValues);

  // A Map, not an object literal: a key such as "__proto__" must stay data.
  const entries = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const keyAt = cursor.position;
    const key = await cursor.string(`metadata key #${i}`, limits.maxKeyBytes);
    if (key.length === 0) throw cursor.fail(`metadata key #${i} is empty`, keyAt);
    if (entries.has(key)) throw cursor.fail(`duplicate metadata key "${key}"`, keyAt);
    const type = await cursor.u32(`type of ${key}`);
    entries.set(key, await readValue(cursor, type, key, limits, 0));
  }
  const metadata: Record<string, GgufValue> = Object.fromEntries(entries);
  const fields = new KnownFields(metadata, cursor);
  const architecture = fields.string('general.architecture');
  if (!architecture) throw cursor.fail('no general.architecture: the GGUF spec requires it');
  const alignment = fields.integer('general.alignment') ?? 32;
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw cursor.fail(`general.alignment ${alignment} is not a power of two`);

  const tensors = await readTensorInfos(cursor, tensorCount, alignment, limits);
  const tensorDataOffset = Math.ceil(cursor.position / alignment) * alignment;
  if (tensorDataOffset + tensors.dataBytes > source.size) {
    throw cursor.fail(`truncated: tensor data ends at byte ${tensorDataOffset + tensors.dataBytes} but the file has ${source.size} bytes`);
  }

  const fileType = fields.integer('general.file_type');
  const tokens = entries.get('tokenizer.ggml.tokens');
  return dropUndefined({
    version,
    fileSize: source.size,
    tensorCount,
    architecture,
    name: fields.string('general.name'),
    licence: fields.string('general.license'),
    sizeLabel: fields.string('general.size_label'),
    parameterCount: fields.integer('general.parameter_count') ?? tensors.parameterCount,
    quantisation:
      fileType === undefined
        ? { name: predominantType(tensors.parametersByType), source: 'tensor_types' as const }
        : { name: LLAMA_FILE_TYPES[fileType] ?? `unknown(${fileType})`, fileType, source: 'general.file_type' as const },
    tensorTypes: tensors.parametersByType,
    contextLength: fields.integer(`${architecture}.context_length`),
    embeddingLength: fields.integer(`${architecture}.embedding_length`),
    blockCount: fields.integer(`${architecture}.block_count`),
    headCount: fields.integer(`${architecture}.attention.head_count`),
    headCountKv: fields.integer(`${architecture}.attention.head_count_kv`),
    vocabularySize: Array.isArray(tokens) ? tokens.length : isArraySummary(tokens) ? tokens.length : undefined,
    chatTemplate: fields.string('tokenizer.chat_template'),
    alignment,
    tensorDataOffset,
    metadata,
  });
}

async function readValue(cursor: GgufCursor, type: number, key: string, limits: GgufLimits, depth: number): Promise<GgufValue> {
  switch (type) {
    case GgufValueType.Uint8:
      return cursor.scalar('u8', key);
    case GgufValueType.Int8:
      return cursor.scalar('i8', key);
    case GgufValueType.Uint16:
      return cursor.scalar('u16', key);
    case GgufValueType.Int16:
      return cursor.scalar('i16', key);
    case GgufValueType.Uint32:
      return cursor.scalar('u32', key);
    case GgufValueType.Int32:
      return cursor.scalar('i32', key);
    case GgufValueType.Float32:
      return cursor.scalar('f32', key);
    case GgufValueType.Bool:
      return cursor.scalar('bool', key);
    case GgufValueType.Uint64:
      return cursor.scalar('u64', key);
    case GgufValueType.Int64:
      return cursor.scalar('i64', key);
    case GgufValueType.Float64:
      return cursor.scalar('f64', key);
    case GgufValueType.String:
      return cursor.string(`value of ${key}`, limits.maxStringBytes);
    case GgufValueType.Array:
      return readArray(cursor, key, limits, depth);
    default:
      throw cursor.fail(`${key} has unknown value type ${type}`, cursor.position - 4);
  }
}

async function readArray(cursor: GgufCursor, key: string, limits: GgufLimits, depth: number): Promise<GgufValue> {
  const elementType = await cursor.u32(`element type of ${key}`);
  if (!(elementType in GgufValueType)) throw cursor.fail(`${key} is an array of unknown type ${elementType}`, cursor.position - 4);
  if (elementType === GgufValueType.Array && depth + 1 >= limits.maxArrayDepth) {
    throw cursor.fail(`${key} nests arrays deeper than ${limits.maxArrayDepth}`);
  }
  const length = await cursor.count(`length of array ${key}`, limits.maxArrayLength);
  const elementBytes = SCALAR_BYTES[elementType as GgufValueType];
  if (elementBytes !== undefined && length * elementBytes > cursor.remaining) {
    throw cursor.fail(`truncated: array ${key} of ${length} ${valueTypeName(elementType)} needs ${length * elementBytes} bytes but only ${cursor.remaining} remain`);
  }
  if (length <= INLINE_ARRAY_LENGTH) {
    const values: GgufValue[] = [];
    for (let i = 0; i < length; i++) values.push(await readValue(cursor, elementType, `${key}[${i}]`, limits, depth + 1));
    return values;
  }
  if (elementBytes !== undefined) cursor.skip(length * elementBytes, `array ${key}`);
  else if (elementType === GgufValueType.String) {
    for (let i = 0; i < length; i++) await cursor.skipString(`${key}[${i}]`, limits.maxStringBytes);
  } else {
    for (let i = 0; i < length; i++) await readValue(cursor, elementType, `${key}[${i}]`, limits, depth + 1);
  }
  return { type: 'array', elementType: valueTypeName(elementType), length };
}

interface TensorSummary {
  parameterCount: number;
  parametersByType: Record<string, number>;
  /** Bytes from the start of the tensor data to the end of the last tensor of a known type. */
  dataBytes: number;
}

async function readTensorInfos(cursor: GgufCursor, count: number, alignment: number, limits: GgufLimits): Promise<TensorSummary> {
  const names = new Set<string>();
  const parametersByType: Record<string, bigint> = {};
  let parameters = 0n;
  let dataEnd = 0n;
  for (let i = 0; i < count; i++) {
    const at = cursor.position;
    const name = await cursor.string(`name of tensor #${i}`, limits.maxTensorNameBytes);
    if (names.has(name)) throw cursor.fail(`duplicate tensor name "${name}"`, at);
    names.add(name);
    const dims = await cursor.u32(`dimension count of ${name}`);
    if (dims === 0 || dims > GGML_MAX_DIMS) throw cursor.fail(`tensor ${name} has ${dims} dimensions (1..${GGML_MAX_DIMS} allowed)`, cursor.position - 4);
    let elements = 1n;
    for (let d = 0; d < dims; d++) elements *= await cursor.u64(`dimension ${d} of ${name}`);
    if (elements > BigInt(Number.MAX_SAFE_INTEGER)) throw cursor.fail(`tensor ${name} claims ${elements} elements`, at);
    const typeId = await cursor.u32(`type of ${name}`);
    const offset = await cursor.u64(`offset of ${name}`);
    if (offset % BigInt(alignment) !== 0n) throw cursor.fail(`tensor ${name} data offset ${offset} is not aligned to ${alignment}`, cursor.position - 8);
    const type = GGML_TYPES[typeId];
    const typeName = type?.name ?? `type${typeId}`;
    if (type) {
      if (elements % BigInt(type.blockSize) !== 0n) throw cursor.fail(`tensor ${name}: ${elements} elements do not fill whole ${type.name} blocks`, at);
      const end = offset + (elements / BigInt(type.blockSize)) * BigInt(type.typeSize);
      if (end > dataEnd) dataEnd = end;
    }
    parameters += elements;
    parametersByType[typeName] = (parametersByType[typeName] ?? 0n) + elements;
  }
  return {
    parameterCount: Number(parameters),
    parametersByType: Object.fromEntries(Object.entries(parametersByType).map(([name, value]) => [name, Number(value)])),
    dataBytes: Number(dataEnd),
  };
}

/** Typed access to well-known keys: a well-known key of the wrong type is a malformed (or hostile) file. */
class KnownFields {
  constructor(
    private readonly metadata: Readonly<Record<string, GgufValue>>,
    private readonly cursor: GgufCursor,
  ) {}

  string(key: string): string | undefined {
    const value = Object.hasOwn(this.metadata, key) ? this.metadata[key] : undefined;
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.cursor.fail(`${key} should be a string`);
    return value;
  }

  integer(key: string): number | undefined {
    const value = Object.hasOwn(this.metadata, key) ? this.metadata[key] : undefined;
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.cursor.fail(`${key} should be a non-negative integer`);
    return value;
  }
}

function isArraySummary(value: GgufValue | undefined): value is GgufArraySummary {
  return typeof value === 'object' && !Array.isArray(value) && value.type === 'array';
}

function predominantType(parametersByType: Record<string, number>): string {
  const ranked = Object.entries(parametersByType).sort((a, b) => b[1] - a[1]);
  return ranked[0]?.[0] ?? 'unknown';
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
