import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateEd25519PrivateKey } from '../core/signed-note';
import { AuditError, AuditErrorCode } from './audit.errors';

/**
 * Reads the checkpoint signing key (PEM PKCS#8 Ed25519), creating it with mode 0600 on first start. Two processes
 * starting at once cannot overwrite each other: creation is exclusive, the loser reads the winner's key.
 *
 * @example
 * const key = await loadOrCreateSigningKey('.attest/audit/signing-key.pem');
 */
export async function loadOrCreateSigningKey(path: string): Promise<KeyObject> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const pem = generateEd25519PrivateKey().export({ format: 'pem', type: 'pkcs8' });
    await writeFile(path, pem, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new AuditError(AuditErrorCode.KeyUnusable, `cannot create the audit signing key at ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    const key = createPrivateKey(await readFile(path));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (error) {
    throw new AuditError(AuditErrorCode.KeyUnusable, `cannot use the audit signing key at ${path}: ${(error as Error).message}`, { cause: error });
  }
}
