/**
 * Just enough POSIX ustar (IEEE 1003.1-1988) to write and read an evidence bundle: regular files only, names of at
 * most 100 bytes. Any `tar -xf` unpacks a bundle; this reader refuses what it does not understand.
 */
export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new TarFormatError(`file name ${name} must be 1..100 bytes`);
  nameBytes.copy(block, 0);
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtimeSeconds, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

/**
 * @example
 * writeTar([{ name: 'manifest.json', data: Buffer.from('{}') }]);
 */
export function writeTar(entries: readonly TarEntry[], mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry.name, entry.data.length, mtimeSeconds), entry.data);
    const padding = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (padding) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/**
 * Lists the regular files of a ustar archive in order, duplicates included (the caller decides what a duplicate means).
 *
 * @example
 * for (const { name, data } of readTar(bytes)) console.log(name, data.length);
 */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) return entries;
    const stored = parseInt(block.toString('ascii', 148, 156).replace(/[\0 ]+$/g, '').trim(), 8);
    let sum = 0;
    for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 32 : (block[index] as number);
    if (stored !== sum) throw new TarFormatError(`bad header checksum at offset ${offset}`);
    const name = block.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const prefix = block.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const type = block.toString('ascii', 156, 157);
    const size = parseInt(block.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(`bad size for ${name}`);
    if (type !== '0' && type !== '\0') throw new TarFormatError(`${name}: only regular files are allowed in a bundle`);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new TarFormatError(`${name} is cut short`);
    entries.push({ name: prefix ? `${prefix}/${name}` : name, data: archive.subarray(start, start + size) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new TarFormatError('archive ends without its end-of-archive blocks');
}
