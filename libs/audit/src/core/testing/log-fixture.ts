import { v7 as uuidv7 } from 'uuid';
import { type AuditEventContent, formatTimestamp, type SealedEvent, sealEvent } from '../audit-event';
import { formatCheckpoint } from '../checkpoint';
import { buildBundle, type BundleContents } from '../evidence-bundle';
import { GENESIS_PREVIOUS_HASH, type Hash } from '../hashing';
import { merkleRoot } from '../merkle-tree';
import { createNoteSigner, generateEd25519PrivateKey, type NoteSigner, parseVerifierKey, signNote } from '../signed-note';
import type { TrustedKey } from '../trusted-keys';

export const FIXTURE_ORIGIN = 'attest.test/audit/fixture';
const START_MICROS = Date.UTC(2026, 0, 1) * 1000;

/** Content of a plausible event number `index`: inference requests and responses, and an admin act. */
export function sampleContent(index: number): AuditEventContent {
  const kinds = ['inference.request', 'inference.response', 'api_key.created'] as const;
  const action = kinds[index % 3] as string;
  return {
    action,
    outcome: 'success',
    tenant: 'default',
    actor: { principalId: `user-${index % 5}`, kind: 'user', tenant: 'default', authMethod: 'api_key', keyId: 'k1', sourceIp: '10.0.0.1' },
    resource: { type: 'model', name: 'stories', version: '1', sha256: 'ab'.repeat(32) },
    requestId: `req-${Math.floor(index / 3)}`,
    policy: { bundleSha256: 'cd'.repeat(32), decision: 'allow', policyIds: ['p1'], obligations: [] },
    pii: { EMAIL: index % 2 },
    usage: action === 'inference.response' ? { promptTokens: 12, completionTokens: 30 } : undefined,
    latencyMs: index * 0.25,
    payload: { mode: 'hash', promptSha256: 'ef'.repeat(32) },
  };
}

/** Seals `contents` as positions `firstSeq..` after `prev`. */
export function sealEvents(contents: AuditEventContent[], options: { origin?: string; firstSeq?: number; prev?: Hash; epoch?: number } = {}): SealedEvent[] {
  let prev = options.prev ?? GENESIS_PREVIOUS_HASH;
  const firstSeq = options.firstSeq ?? 0;
  return contents.map((content, index) => {
    const seq = firstSeq + index;
    const sealed = sealEvent(content, { origin: options.origin ?? FIXTURE_ORIGIN, seq, id: uuidv7(), ts: formatTimestamp(START_MICROS + seq * 1_000_250), epoch: options.epoch ?? 1, prev, writer: 'fixture' });
    prev = sealed.hash;
    return sealed;
  });
}

export interface LogFixture {
  origin: string;
  signer: NoteSigner;
  trustedKeys: TrustedKey[];
  events: SealedEvent[];
  leafHashes: Hash[];
  /** A checkpoint note over the first `size` events, signed by the log key (or `signer`). */
  checkpoint(size: number, signer?: NoteSigner): string;
  bundle(overrides?: Partial<BundleContents>, signer?: NoteSigner): Buffer;
}

/**
 * An in-memory log of `count` events with a fresh key.
 *
 * @example
 * const log = buildLogFixture(10);
 * verifyBundle(log.bundle(), { trustedKeys: log.trustedKeys }).ok; // true
 */
export function buildLogFixture(count: number, checkpointSizes: number[] = [count]): LogFixture {
  const signer = createNoteSigner(FIXTURE_ORIGIN, generateEd25519PrivateKey());
  const events = sealEvents(Array.from({ length: count }, (_, index) => sampleContent(index)));
  const leafHashes = events.map((event) => event.hash);
  const checkpoint = (size: number, by: NoteSigner = signer): string =>
    signNote(formatCheckpoint({ origin: FIXTURE_ORIGIN, size, root: merkleRoot(leafHashes, size), extensions: [] }), [by]);
  return {
    origin: FIXTURE_ORIGIN,
    signer,
    trustedKeys: [{ verifier: parseVerifierKey(signer.verifierKey) }],
    events,
    leafHashes,
    checkpoint,
    bundle: (overrides = {}, by = signer) =>
      buildBundle(
        {
          origin: FIXTURE_ORIGIN,
          createdAt: '2026-02-01T00:00:00.000Z',
          from: '2026-01-01T00:00:00.000Z',
          to: '2026-02-01T00:00:00.000Z',
          firstSeq: 0,
          events: events.map((event) => event.bytes),
          leafHashes,
          checkpoints: checkpointSizes.map((size) => checkpoint(size)),
          publicKeys: [signer.verifierKey],
          ...overrides,
        },
        by,
      ),
  };
}
