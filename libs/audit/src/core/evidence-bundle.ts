import { canonicalBytes, parseCanonical } from './canonical-json';
import { type Hash, sha256, toHex } from './hashing';
import { LeafCheckPool } from './leaf-check-pool';
import { LogVerifier } from './log-verifier';
import { type ParallelVerifyOptions, pushInParallel, reportCrossings, SpanRun, wantsWorkers } from './parallel-verify';
import { type NoteSigner, signNote, verifyNote } from './signed-note';
import { readTar, TarFormatError, type TarEntry, writeTar } from './tar-archive';
import type { TrustedKey } from './trusted-keys';
import { VerifyFailureCode, type VerifyReport } from './verify-failure';
import type { CosignerKey } from './witness';

export const BUNDLE_FORMAT = 'attest-audit-bundle/1';
export const BUNDLE_FILES = { manifest: 'manifest.json', signature: 'manifest.sig', events: 'events.jsonl', leaves: 'leaves.bin', checkpoints: 'checkpoints.json', keys: 'keys.json', retention: 'retention.json' } as const;

/** What an export holds: a contiguous range of events plus every leaf hash of the tree they belong to. */
export interface BundleContents {
  origin: string;
  createdAt: string;
  /** The requested time range, ISO. */
  from: string;
  to: string;
  /** Sequence number of the first exported event (the rest follow densely). */
  firstSeq: number;
  /** Canonical bytes of the exported events, in sequence order. */
  events: readonly Uint8Array[];
  /** Leaf hashes of positions retainedFrom .. treeSize-1: the inclusion data for every exported event. */
  leafHashes: readonly Hash[];
  /** For a log whose oldest events retention dropped: the canonical bytes of the newest retention event. */
  retention?: { retainedFrom: number; event: Uint8Array };
  /**
   * Only the events of the range that match a search (the console's on-screen filter): their positions, ascending, and
   * the filter (informative). Absent: `events` are the dense run from `firstSeq`.
   */
  selection?: BundleSelection;
  /** Signed checkpoint notes whose size is at most leafHashes.length. */
  checkpoints: readonly string[];
  /** The log's public keys (verifier key strings); informative only, a verifier never trusts them. */
  publicKeys: readonly string[];
}

export interface BundleSelection {
  filter: Record<string, string | number>;
  positions: number[];
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  origin: string;
  createdAt: string;
  from: string;
  to: string;
  firstSeq: number;
  eventCount: number;
  treeSize: number;
  /** First position whose leaf hash leaves.bin holds; present only when retention dropped the ones before. */
  retainedFrom?: number;
  /** Present when events.jsonl holds only the events a search selected; `positions[i]` is the position of line i. */
  selection?: BundleSelection;
  files: { name: string; sha256: string; size: number }[];
}

/** The text of manifest.sig before signing: format, origin and the manifest's SHA-256, one per line. */
export function manifestNoteText(origin: string, manifestBytes: Uint8Array): string {
  return `${BUNDLE_FORMAT}\n${origin}\n${toHex(sha256(manifestBytes))}\n`;
}

/**
 * Packs an evidence bundle (a ustar archive) and signs its manifest with the log's key.
 *
 * @example
 * writeFileSync('evidence.tar', buildBundle(contents, signer));
 */
export function buildBundle(contents: BundleContents, signer: NoteSigner): Buffer {
  const files: TarEntry[] = [
    { name: BUNDLE_FILES.events, data: Buffer.concat(contents.events.flatMap((bytes) => [Buffer.from(bytes), Buffer.from('\n')])) },
    { name: BUNDLE_FILES.leaves, data: Buffer.concat(contents.leafHashes.map((hash) => Buffer.from(hash))) },
    { name: BUNDLE_FILES.checkpoints, data: Buffer.from(canonicalBytes([...contents.checkpoints])) },
    { name: BUNDLE_FILES.keys, data: Buffer.from(canonicalBytes([...contents.publicKeys])) },
  ];
  // The retention event travels as its canonical bytes in a JSON string, so the verifier hashes exactly what was signed.
  if (contents.retention) files.push({ name: BUNDLE_FILES.retention, data: Buffer.from(canonicalBytes(Buffer.from(contents.retention.event).toString('utf8'))) });
  const retainedFrom = contents.retention?.retainedFrom ?? 0;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    origin: contents.origin,
    createdAt: contents.createdAt,
    from: contents.from,
    to: contents.to,
    firstSeq: contents.firstSeq,
    eventCount: contents.events.length,
    treeSize: retainedFrom + contents.leafHashes.length,
    ...(retainedFrom > 0 ? { retainedFrom } : {}),
    ...(contents.selection ? { selection: contents.selection } : {}),
    files: files.map((file) => ({ name: file.name, sha256: toHex(sha256(file.data)), size: file.data.length })),
  };
  const manifestBytes = Buffer.from(canonicalBytes(manifest));
  const signature = Buffer.from(signNote(manifestNoteText(contents.origin, manifestBytes), [signer]), 'utf8');
  return writeTar([{ name: BUNDLE_FILES.manifest, data: manifestBytes }, { name: BUNDLE_FILES.signature, data: signature }, ...files]);
}

export interface VerifyBundleOptions {
  /** Keys from the verifier's own configuration or key manifest — never from the bundle. */
  trustedKeys: readonly TrustedKey[];
  /** Checkpoints this verifier saw before; the bundle must not be smaller or disagree. */
  lastSeen?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  /** Trusted witness keys and how many of them must have cosigned the newest checkpoint. */
  witnesses?: readonly CosignerKey[];
  quorum?: number;
  /** The auditor's minimum retention in months (drops of younger events fail). */
  minRetentionMonths?: number;
}

/**
 * Verifies an evidence bundle offline: the signed manifest and every file's hash, then every exported event (canonical
 * bytes, position, chain link, leaf hash) and every checkpoint's root over the bundle's leaf hashes.
 *
 * @example
 * const report = verifyBundle(readFileSync('evidence.tar'), { trustedKeys: parseKeyManifest(keysJson) });
 * if (!report.ok) console.error(report.failure);
 */
export function verifyBundle(archive: Buffer, options: VerifyBundleOptions): VerifyReport {
  const opened = openBundle(archive, options);
  return 'verifier' in opened ? pushEachPosition(opened, options) : opened;
}

function pushEachPosition({ verifier, manifest, retainedFrom, run }: OpenedBundle, options: VerifyBundleOptions): VerifyReport {
  for (let position = retainedFrom; position < manifest.treeSize; position++) {
    if (!verifier.push(run.entry(position - retainedFrom))) break;
    if (options.onProgress && (position + 1) % 100_000 === 0) options.onProgress(position + 1, manifest.treeSize);
  }
  return verifier.finish();
}

/**
 * {@link verifyBundle} with the per-event checks (UTF-8, JCS, header, origin, position) in worker threads for large
 * bundles; hashing, chaining, the tree and checkpoints stay on this thread. Same checks, same report, same first failure.
 *
 * @example
 * const report = await verifyBundleAsync(readFileSync('evidence.tar'), { trustedKeys, workers: 2 });
 */
export async function verifyBundleAsync(archive: Buffer, options: VerifyBundleOptions & ParallelVerifyOptions): Promise<VerifyReport> {
  // Workers boot while the archive is read and its files hashed, if its size suggests enough events (a leaf takes a few
  // hundred bytes); a guess that proves wrong only costs closing them.
  let pool = options.pool ?? (wantsWorkers(Math.floor(archive.length / 256), options) ? LeafCheckPool.spawn(options.workers) : undefined);
  try {
    const opened = openBundle(archive, options);
    if (!('verifier' in opened)) return opened;
    if (!options.pool && !wantsWorkers(opened.manifest.eventCount, options)) return pushEachPosition(opened, options);
    const { verifier, manifest, retainedFrom } = opened;
    let reported = retainedFrom;
    pool ??= LeafCheckPool.spawn(options.workers);
    await pushInParallel(verifier, [opened.run], {
      ...options,
      pool,
      onPushed: (count) => {
        if (options.onProgress) reportCrossings(reported, retainedFrom + count, 100_000, (done) => options.onProgress?.(done, manifest.treeSize));
        reported = retainedFrom + count;
      },
    });
    return verifier.finish();
  } finally {
    await pool?.close();
  }
}

interface OpenedBundle {
  verifier: LogVerifier;
  manifest: BundleManifest;
  retainedFrom: number;
  /** Positions retainedFrom .. treeSize - 1. */
  run: SpanRun;
}

/** Checks everything about a bundle but its events (section 8, step 1 and the checkpoints); a report where that fails. */
function openBundle(archive: Buffer, options: VerifyBundleOptions): OpenedBundle | VerifyReport {
  const verifier = new LogVerifier({ trustedKeys: options.trustedKeys, lastSeen: options.lastSeen, witnesses: options.witnesses, quorum: options.quorum, minRetentionMonths: options.minRetentionMonths });
  const failWith = (code: VerifyFailureCode, message: string, file?: string): VerifyReport => {
    verifier.fail({ code, message, file });
    return verifier.finish();
  };
  let entries: TarEntry[];
  try {
    entries = readTar(archive);
  } catch (error) {
    if (!(error instanceof TarFormatError)) throw error;
    return failWith(VerifyFailureCode.BundleUnreadable, error.message);
  }
  const byName = new Map<string, Buffer>();
  for (const entry of entries) {
    if (byName.has(entry.name)) return failWith(VerifyFailureCode.BundleFileDuplicated, `${entry.name} appears twice`, entry.name);
    byName.set(entry.name, entry.data);
  }
  const manifestBytes = byName.get(BUNDLE_FILES.manifest);
  const signature = byName.get(BUNDLE_FILES.signature);
  if (!manifestBytes) return failWith(VerifyFailureCode.BundleFileMissing, 'manifest.json is missing', BUNDLE_FILES.manifest);
  if (!signature) return failWith(VerifyFailureCode.BundleFileMissing, 'manifest.sig is missing', BUNDLE_FILES.signature);

  const signed = verifyNote(signature.toString('utf8'), options.trustedKeys.map((key) => key.verifier));
  if (!signed.ok) return failWith(VerifyFailureCode.BundleManifestSignatureInvalid, `manifest.sig: ${signed.detail}`, BUNDLE_FILES.signature);
  const [format, origin, digest] = signed.text.split('\n');
  if (format !== BUNDLE_FORMAT || !origin) return failWith(VerifyFailureCode.BundleManifestInvalid, `manifest.sig is not a ${BUNDLE_FORMAT} signature`, BUNDLE_FILES.signature);
  if (digest !== toHex(sha256(manifestBytes))) return failWith(VerifyFailureCode.BundleFileHashMismatch, 'manifest.json is not the manifest that was signed', BUNDLE_FILES.manifest);

  let manifest: BundleManifest;
  try {
    manifest = parseCanonical(manifestBytes) as unknown as BundleManifest;
    assertManifest(manifest, origin);
  } catch (error) {
    return failWith(VerifyFailureCode.BundleManifestInvalid, `manifest.json: ${(error as Error).message}`, BUNDLE_FILES.manifest);
  }
  for (const name of byName.keys()) {
    if (name !== BUNDLE_FILES.manifest && name !== BUNDLE_FILES.signature && !manifest.files.some((file) => file.name === name)) {
      return failWith(VerifyFailureCode.BundleFileUnexpected, `${name} is not listed in the manifest`, name);
    }
  }
  for (const file of manifest.files) {
    const data = byName.get(file.name);
    if (!data) return failWith(VerifyFailureCode.BundleFileMissing, `${file.name} is listed in the manifest but missing`, file.name);
    if (toHex(sha256(data)) !== file.sha256 || data.length !== file.size) return failWith(VerifyFailureCode.BundleFileHashMismatch, `${file.name} differs from its manifest hash`, file.name);
  }
  for (const required of [BUNDLE_FILES.events, BUNDLE_FILES.leaves, BUNDLE_FILES.checkpoints]) {
    if (!byName.has(required)) return failWith(VerifyFailureCode.BundleFileMissing, `${required} is missing`, required);
  }

  const leaves = byName.get(BUNDLE_FILES.leaves) as Buffer;
  const eventsData = byName.get(BUNDLE_FILES.events) as Buffer;
  const lines = lineSpans(eventsData);
  const lineCount = lines.length / 2;
  const retainedFrom = manifest.retainedFrom ?? 0;
  if (leaves.length !== (manifest.treeSize - retainedFrom) * 32) return failWith(VerifyFailureCode.BundleManifestInvalid, `leaves.bin holds ${leaves.length / 32} hashes, the manifest says ${manifest.treeSize - retainedFrom}`, BUNDLE_FILES.leaves);
  const selected = manifest.selection?.positions;
  const spanEnd = selected ? (selected.length > 0 ? (selected[selected.length - 1] as number) + 1 : 0) : manifest.firstSeq + manifest.eventCount;
  if (selected && (selected.length !== lineCount || selected.some((position, index) => position < retainedFrom || (index > 0 && position <= (selected[index - 1] as number))))) {
    return failWith(VerifyFailureCode.BundleManifestInvalid, `the selection's positions do not name the ${lineCount} events of events.jsonl in order`, BUNDLE_FILES.manifest);
  }
  if (lineCount !== manifest.eventCount || spanEnd > manifest.treeSize || (manifest.eventCount > 0 && manifest.firstSeq < retainedFrom)) {
    return failWith(VerifyFailureCode.BundleManifestInvalid, `events.jsonl holds ${lineCount} events, the manifest says ${manifest.eventCount} from ${manifest.firstSeq}`, BUNDLE_FILES.events);
  }
  let checkpoints: string[];
  try {
    checkpoints = parseCanonical(byName.get(BUNDLE_FILES.checkpoints) as Buffer) as string[];
    if (!Array.isArray(checkpoints) || checkpoints.some((note) => typeof note !== 'string')) throw new Error('not an array of notes');
  } catch (error) {
    return failWith(VerifyFailureCode.BundleManifestInvalid, `checkpoints.json: ${(error as Error).message}`, BUNDLE_FILES.checkpoints);
  }
  if (retainedFrom > 0) {
    const retention = byName.get(BUNDLE_FILES.retention);
    if (!retention) return failWith(VerifyFailureCode.BundleFileMissing, `${BUNDLE_FILES.retention} is missing: the bundle starts at ${retainedFrom}`, BUNDLE_FILES.retention);
    let event: unknown;
    try {
      event = parseCanonical(retention);
    } catch (error) {
      return failWith(VerifyFailureCode.BundleManifestInvalid, `${BUNDLE_FILES.retention}: ${(error as Error).message}`, BUNDLE_FILES.retention);
    }
    if (typeof event !== 'string') return failWith(VerifyFailureCode.BundleManifestInvalid, `${BUNDLE_FILES.retention} is not one event`, BUNDLE_FILES.retention);
    verifier.startAfterRetention(Buffer.from(event, 'utf8'));
    if (verifier.failed) return verifier.finish();
    if (verifier.retainedFrom !== retainedFrom) return failWith(VerifyFailureCode.RetentionAnchorMismatch, `the retention event does not start the log at ${retainedFrom}`, BUNDLE_FILES.retention);
  }
  if (!verifier.addCheckpoints(checkpoints)) return verifier.finish();
  return { verifier, manifest, retainedFrom, run: bundleRun(manifest, retainedFrom, leaves, eventsData, lines) };
}

/** Positions retainedFrom .. treeSize - 1: the exported events' lines where there are some, else only the leaf hash. */
function bundleRun(manifest: BundleManifest, retainedFrom: number, leaves: Buffer, eventsData: Buffer, lines: Float64Array): SpanRun {
  const spans = new Float64Array(2 * (manifest.treeSize - retainedFrom)).fill(-1);
  const selected = manifest.selection?.positions;
  if (selected) {
    // A search's events: each line at the position the signed manifest names (and its own seq must agree).
    selected.forEach((position, line) => spans.set(lines.subarray(2 * line, 2 * line + 2), 2 * (position - retainedFrom)));
  } else if (manifest.eventCount > 0) {
    spans.set(lines, 2 * (manifest.firstSeq - retainedFrom));
  }
  const storedHash = (index: number): Uint8Array => leaves.subarray(index * 32, index * 32 + 32);
  const run: SpanRun = new SpanRun({ data: eventsData, spans, storedHash, entry: (index) => ({ bytes: run.bytes(index), storedHash: storedHash(index) }) });
  return run;
}

function assertManifest(manifest: BundleManifest, signedOrigin: string): void {
  if (typeof manifest !== 'object' || manifest === null) throw new Error('not an object');
  if (manifest.format !== BUNDLE_FORMAT) throw new Error(`format is not ${BUNDLE_FORMAT}`);
  if (manifest.origin !== signedOrigin) throw new Error('origin differs from the signed one');
  for (const field of ['firstSeq', 'eventCount', 'treeSize'] as const) {
    if (!Number.isSafeInteger(manifest[field]) || manifest[field] < 0) throw new Error(`${field} is not a count`);
  }
  const retainedFrom = manifest.retainedFrom;
  if (retainedFrom !== undefined && (!Number.isSafeInteger(retainedFrom) || retainedFrom <= 0 || retainedFrom > manifest.treeSize)) throw new Error('retainedFrom is not a position of the log');
  const selection = manifest.selection;
  if (selection !== undefined && (typeof selection !== 'object' || selection === null || !Array.isArray(selection.positions) || !selection.positions.every((position) => Number.isSafeInteger(position) && position >= 0) || typeof selection.filter !== 'object' || selection.filter === null)) {
    throw new Error('selection is not a filter with a list of positions');
  }
  if (!Array.isArray(manifest.files)) throw new Error('files is not a list');
}

/** `[start, end)` of each line of events.jsonl: split at each newline; a last line without one still counts. */
function lineSpans(data: Buffer): Float64Array {
  const spans: number[] = [];
  let start = 0;
  for (let index = data.indexOf(0x0a); index >= 0; index = data.indexOf(0x0a, start)) {
    spans.push(start, index);
    start = index + 1;
  }
  if (start !== data.length) spans.push(start, data.length);
  return Float64Array.from(spans);
}
