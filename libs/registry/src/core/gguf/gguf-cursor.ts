import { open } from 'node:fs/promises';
import { RegistryError, RegistryErrorCode } from '../registry.errors';

/** Random-access bytes: a file read with plain positional reads, or a buffer in tests. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<ByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new RegistryError(RegistryErrorCode.FileUnavailable, `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  const fileHandle = handle;
  const stats = await fileHandle.stat();
  if (!stats.isFile()) {
    await fileHandle.close();
    throw new RegistryError(RegistryErrorCode.InvalidGguf, `${path} is not a regular file`);
  }
  return {
    size: stats.size,
    async read(position, length) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await fileHandle.read(buffer, 0, length, position);
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    },
    close: () => fileHandle.close(),
  };
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    read: (position, length) => Promise.resolve(buffer.subarray(position, Math.min(buffer.length, position + length))),
    close: () => Promise.resolve(),
  };
}

const CHUNK_BYTES = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Sequential little-endian reads over a {@link ByteSource} through a small window. Every length is checked against
 * the bytes left in the file before anything is allocated, so a hostile length field cannot make us read or
 * allocate more than the file holds.
 */
export class GgufCursor {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  position = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly label: string,
  ) {}

  get size(): number {
    return this.source.size;
  }

  get remaining(): number {
    return this.source.size - this.position;
  }

  fail(message: string, at = this.position): RegistryError {
    return new RegistryError(RegistryErrorCode.InvalidGguf, `${this.label}: ${message} (at byte ${at})`);
  }

  private async need(bytes: number, what: string): Promise<number> {
    if (bytes > this.remaining) {
      throw this.fail(`truncated: ${what} needs ${bytes} bytes but only ${this.remaining} remain`);
    }
    const offset = this.position - this.windowStart;
    if (offset >= 0 && offset + bytes <= this.window.length) return offset;
    this.window = await this.source.read(this.position, Math.max(bytes, Math.min(CHUNK_BYTES, this.remaining)));
    this.windowStart = this.position;
    if (this.window.length < bytes) throw this.fail(`truncated: the file shrank while being read`);
    return 0;
  }

  skip(bytes: number, what: string): void {
    if (bytes > this.remaining) throw this.fail(`truncated: ${what} needs ${bytes} bytes but only ${this.remaining} remain`);
    this.position += bytes;
  }

  async u8(what: string): Promise<number> {
    const at = await this.need(1, what);
    this.position += 1;
    return this.window.readUInt8(at);
  }

  async u32(what: string): Promise<number> {
    const at = await this.need(4, what);
    this.position += 4;
    return this.window.readUInt32LE(at);
  }

  async u64(what: string): Promise<bigint> {
    const at = await this.need(8, what);
    this.position += 8;
    return this.window.readBigUInt64LE(at);
  }

  /** A uint64 count or length that must fit below `max` (and so in a JS number). */
  async count(what: string, max: number): Promise<number> {
    const start = this.position;
    const value = await this.u64(what);
    if (value > BigInt(max)) throw this.fail(`${what} is ${value}, above the limit of ${max}`, start);
    return Number(value);
  }

  /** One scalar of a fixed-size type, as a JSON-safe value (64-bit integers beyond 2^53 become strings). */
  async scalar(type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64', what: string): Promise<number | boolean | string> {
    const bytes = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8 }[type];
    const at = await this.need(bytes, what);
    this.position += bytes;
    const w = this.window;
    switch (type) {
      case 'u8':
        return w.readUInt8(at);
      case 'i8':
        return w.readInt8(at);
      case 'bool': {
        const value = w.readUInt8(at);
        if (value > 1) throw this.fail(`${what} is a bool of value ${value}`, this.position - 1);
        return value === 1;
      }
      case 'u16':
        return w.readUInt16LE(at);
      case 'i16':
        return w.readInt16LE(at);
      case 'u32':
        return w.readUInt32LE(at);
      case 'i32':
        return w.readInt32LE(at);
      case 'f32':
        return finite(w.readFloatLE(at));
      case 'f64':
        return finite(w.readDoubleLE(at));
      case 'u64':
        return safeInteger(w.readBigUInt64LE(at));
      case 'i64':
        return safeInteger(w.readBigInt64LE(at));
      default: {
        const unreachable: never = type;
        return unreachable;
      }
    }
  }

  /** A GGUF string: uint64 byte length, then UTF-8 without terminator. Refuses NUL (PostgreSQL jsonb cannot hold it). */
  async string(what: string, maxBytes: number): Promise<string> {
    const start = this.position;
    const length = await this.count(`length of ${what}`, maxBytes);
    const at = await this.need(length, what);
    this.position += length;
    let text: string;
    try {
      text = utf8.decode(this.window.subarray(at, at + length));
    } catch {
      throw this.fail(`${what} is not valid UTF-8`, start);
    }
    if (text.includes('\u0000')) throw this.fail(`${what} contains a NUL character`, start);
    return text;
  }

  /** Skips a string without decoding it (vocabulary entries). */
  async skipString(what: string, maxBytes: number): Promise<void> {
    const length = await this.count(`length of ${what}`, maxBytes);
    this.skip(length, what);
  }
}

function safeInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** JSON (and so jsonb) has no NaN or Infinity: keep them readable as strings. */
function finite(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}
