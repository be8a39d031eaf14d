import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { RegistryError, RegistryErrorCode } from './registry.errors';

export interface FileDigest {
  sha256: string;
  size: number;
}

export type HashProgress = (hashedBytes: number, totalBytes: number) => void;

/**
 * SHA-256 of a file, streamed in 1 MiB reads so a multi-GB model never sits in memory. `onProgress` is called after
 * each read (the CLI draws a progress bar from it).
 *
 * @example
 * const { sha256, size } = await sha256File('models/builtin/stories260k-f32-v3.gguf');
 */
export async function sha256File(path: string, onProgress?: HashProgress): Promise<FileDigest> {
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new Error('not a regular file');
    size = stats.size;
  } catch (error) {
    throw new RegistryError(RegistryErrorCode.FileUnavailable, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const hash = createHash('sha256');
  let hashed = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      hashed += bytes.length;
      onProgress?.(hashed, size);
    }
  } catch (error) {
    throw new RegistryError(RegistryErrorCode.FileUnavailable, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { sha256: hash.digest('hex'), size: hashed };
}

/**
 * Hashes the file and refuses it unless it is the one the registry pinned.
 *
 * @throws RegistryError INTEGRITY_MISMATCH naming both digests, FILE_UNAVAILABLE when it cannot be read
 */
export async function verifyFileSha256(path: string, expectedSha256: string, onProgress?: HashProgress): Promise<FileDigest> {
  const digest = await sha256File(path, onProgress);
  if (digest.sha256 !== expectedSha256.toLowerCase()) {
    throw new RegistryError(
      RegistryErrorCode.IntegrityMismatch,
      `${path} has sha256 ${digest.sha256}, but the registry pinned ${expectedSha256}: refusing to load it`,
    );
  }
  return digest;
}
