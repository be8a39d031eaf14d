import { type NoteVerifier, parseVerifierKey } from './signed-note';

/** A public key the verifier trusts, with the window in which events it signs may lie. */
export interface TrustedKey {
  verifier: NoteVerifier;
  /** ISO timestamps; an open end is unbounded. */
  notBefore?: string;
  notAfter?: string;
}

export class KeyManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyManifestError';
  }
}

/**
 * Reads a key manifest `{"keys":[{"key":"<verifier key>","notBefore":"ISO","notAfter":"ISO"}]}`. It comes from the
 * verifier's own configuration, never from the bundle under test.
 *
 * @example
 * const keys = parseKeyManifest(readFileSync('trusted-keys.json', 'utf8'));
 */
export function parseKeyManifest(json: string): TrustedKey[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new KeyManifestError(`key manifest is not JSON: ${(error as Error).message}`);
  }
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new KeyManifestError('key manifest needs a "keys" array');
  return keys.map((entry: unknown, index) => {
    const { key, notBefore, notAfter } = (entry ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string') throw new KeyManifestError(`keys[${index}].key must be a verifier key string`);
    for (const [field, bound] of [['notBefore', notBefore], ['notAfter', notAfter]] as const) {
      if (bound !== undefined && (typeof bound !== 'string' || Number.isNaN(Date.parse(bound)))) {
        throw new KeyManifestError(`keys[${index}].${field} must be an ISO timestamp`);
      }
    }
    return { verifier: parseVerifierKey(key), notBefore: notBefore as string | undefined, notAfter: notAfter as string | undefined };
  });
}

/** Whether an event time (ISO) lies in the key's window [notBefore, notAfter). */
export function withinKeyWindow(key: TrustedKey, timestamp: string): boolean {
  const time = Date.parse(timestamp);
  if (key.notBefore !== undefined && time < Date.parse(key.notBefore)) return false;
  if (key.notAfter !== undefined && time >= Date.parse(key.notAfter)) return false;
  return true;
}
