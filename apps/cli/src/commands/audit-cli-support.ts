import { existsSync, readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import {
  BUNDLE_FILES,
  createNoteSigner,
  NoteFormatError,
  type NoteSigner,
  parseCanonical,
  parseKeyManifest,
  parseVerifierKey,
  readTar,
  type TrustedKey,
} from '@attest/audit';
import { AuditCheckpointer, AuditError, AuditErrorCode, type AuditSettings, CheckpointFileSink, loadAuditSettings, loadOrCreateSigningKey } from '@attest/audit/nest';
import type { DataSource } from 'typeorm';
import { type DatabaseConnection, databaseConfig, openDatabase } from '@attest/db';

export interface TrustOptions {
  keys?: string;
  key?: string[];
}

export function envWith(databaseUrl: string | undefined): NodeJS.ProcessEnv {
  return databaseUrl ? { ...process.env, DATABASE_URL: databaseUrl } : process.env;
}

export async function withDatabase<T>(databaseUrl: string | undefined, work: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
  const connection = await openDatabase(databaseConfig.load(envWith(databaseUrl)), { applicationName: 'attest-cli-audit', embeddedSharing: 'join' });
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

/** The configured signing key, if it exists; the CLI never creates one. */
export function localSigner(settings: AuditSettings, origin: string): NoteSigner | undefined {
  if (!existsSync(settings.signingKeyFile)) return undefined;
  return createNoteSigner(settings.keyName ?? origin, createPrivateKey(readFileSync(settings.signingKeyFile)));
}

export function requireLocalSigner(settings: AuditSettings, origin: string): NoteSigner {
  const signer = localSigner(settings, origin);
  if (!signer) throw new AuditError(AuditErrorCode.KeyUnusable, `no audit signing key at ${settings.signingKeyFile} (set ATTEST_AUDIT_SIGNING_KEY_FILE or ATTEST_DATA_DIR)`);
  return signer;
}

/**
 * Keys the verifier trusts: a key manifest (--keys), verifier keys (--key), else the public half of the locally
 * configured signing key. Never the keys inside the database or bundle under test.
 */
export function trustedKeys(options: TrustOptions, settings: AuditSettings, origin: string): TrustedKey[] {
  const keys: TrustedKey[] = [];
  if (options.keys) keys.push(...parseKeyManifest(readFileSync(options.keys, 'utf8')));
  for (const key of options.key ?? []) keys.push({ verifier: parseVerifierKey(key) });
  if (keys.length === 0) {
    const signer = localSigner(settings, origin);
    if (!signer) throw new AuditError(AuditErrorCode.KeyUnusable, 'no trusted key: pass --keys FILE or --key VERIFIER_KEY (the local signing key was not found either)');
    keys.push({ verifier: parseVerifierKey(signer.verifierKey) });
  }
  return keys;
}

/** Signed checkpoints from a sink file (JSON Lines of notes) or a file holding one note. */
export async function readNotes(path: string): Promise<string[]> {
  const text = readFileSync(path, 'utf8');
  return text.trimStart().startsWith('"') ? new CheckpointFileSink(path).readAll() : [text];
}

/** The origin a bundle's manifest declares (to name the local key); trust comes from the key, not from this. */
export function bundleOrigin(archive: Buffer): string {
  try {
    const manifest = readTar(archive).find((entry) => entry.name === BUNDLE_FILES.manifest);
    const origin = manifest && (parseCanonical(manifest.data) as { origin?: unknown }).origin;
    return typeof origin === 'string' ? origin : '';
  } catch {
    return '';
  }
}

/** A started checkpointer over the local signing key and sink (no timer): the CLI seals what it is about to rely on. */
export async function localCheckpointer(dataSource: DataSource, settings: AuditSettings): Promise<AuditCheckpointer> {
  const checkpointer = new AuditCheckpointer(dataSource, await loadOrCreateSigningKey(settings.signingKeyFile), new CheckpointFileSink(settings.sinkFile), { intervalMs: 0, keyName: settings.keyName, dbRole: settings.dbRole });
  await checkpointer.start();
  return checkpointer;
}

/** Prints an AuditError as one line and exits 1; anything else goes to the CLI's handler. */
export async function guarded(work: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await work();
  } catch (error) {
    if (error instanceof NoteFormatError) {
      // A mistyped --key or --witness: one line the auditor can act on, never a stack trace.
      process.stderr.write(`attest: [KEY_MALFORMED] ${error.message}\n`);
      code = 1;
    } else {
      if (!(error instanceof AuditError)) throw error;
      process.stderr.write(`attest: [${error.code}] ${error.message}\n`);
      code = 1;
    }
  }
  if (code !== 0) process.exit(code);
}

export { loadAuditSettings };
