import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InferenceError, InferenceErrorCode } from '../inference.errors';

/** Hex sha256 of a file, streamed so a multi-gigabyte GGUF never sits in memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Remembers verified files by path, size and mtime, so a reload or a readiness probe does not rehash gigabytes. */
export class FileIntegrityChecker {
  private readonly verified = new Map<string, string>();

  /**
   * Refuses a file whose content differs from the pinned hash (the registry's sha256), before llama.cpp reads it.
   * @throws InferenceError INTEGRITY_MISMATCH, or MODEL_LOAD_FAILED when the file cannot be read.
   */
  async verify(path: string, expectedSha256: string | undefined): Promise<void> {
    const info = await stat(path).catch((error: unknown) => {
      throw new InferenceError(InferenceErrorCode.ModelLoadFailed, `model file ${path} cannot be read`, { cause: error });
    });
    if (!info.isFile()) throw new InferenceError(InferenceErrorCode.ModelLoadFailed, `model file ${path} is not a file`);
    if (expectedSha256 === undefined) return;
    const expected = expectedSha256.toLowerCase();
    const key = `${path}\u0000${info.size}\u0000${info.mtimeMs}`;
    if (this.verified.get(key) === expected) return;
    const actual = await sha256OfFile(path);
    if (actual !== expected) {
      throw new InferenceError(
        InferenceErrorCode.IntegrityMismatch,
        `model file ${path} has sha256 ${actual}, expected ${expected}; refusing to load it`,
      );
    }
    this.verified.set(key, expected);
  }
}
