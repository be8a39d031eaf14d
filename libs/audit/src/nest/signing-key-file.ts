import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateEd25519PrivateKey } from '../core/signed-note';
import { AuditError, AuditErrorCode } from './audit.errors';

/**
 * Reads a key file, creating it with mode 0600 (folder 0700) on first use. Two processes starting at once cannot
 * overwrite each other: creation is exclusive, the loser reads the winner's key. Any failure is KEY_UNUSABLE.
 */
export async function loadOrCreateKeyFile<T>(path: string, what: string, generate: () => string | Buffer, read: (bytes: Buffer) => T): Promise<T> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, generate(), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new AuditError(AuditErrorCode.KeyUnusable, `cannot create the ${what} at ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return read(await readFile(path));
  } catch (error) {
    throw new AuditError(AuditErrorCode.KeyUnusable, `cannot use the ${what} at ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads the checkpoint signing key (PEM PKCS#8 Ed25519), creating it on first start.
 *
 * @example
 * const key = await loadOrCreateSigningKey('.attest/audit/signing-key.pem');
 */
export function loadOrCreateSigningKey(path: string): Promise<KeyObject> {
  return loadOrCreateKeyFile(
    path,
    'audit signing key',
    () => generateEd25519PrivateKey().export({ format: 'pem', type: 'pkcs8' }),
    (bytes) => {
      const key = createPrivateKey(bytes);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key, not Ed25519`);
      return key;
    },
  );
}
