import type { AuditEventContent, SealedEvent } from './audit-event';
import { buildBundle, verifyBundle } from './evidence-bundle';
import { toHex } from './hashing';
import { consistencyProof, inclusionProof, LeafRange, MerkleFrontier, merkleRoot } from './merkle-tree';
import { LEGAL_HOLD_RELEASED_ACTION, LEGAL_HOLD_SET_ACTION, RETENTION_APPLIED_ACTION, type LegalHoldScope, type RetentionDetails } from './retention';
import { buildLogFixture, FIXTURE_ORIGIN, sampleContent, sealEvents } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';
import { LogVerifier } from './log-verifier';

const frontierOf = (hashes: Buffer[]) => {
  const frontier = new MerkleFrontier();
  for (const hash of hashes) frontier.append(hash);
  return frontier;
};

const act = (action: string, details: Record<string, unknown>): AuditEventContent => ({
  action,
  outcome: 'success',
  tenant: 'default',
  actor: { principalId: 'records-officer', kind: 'user', tenant: 'default', authMethod: 'api_key' },
  details: details as AuditEventContent['details'],
});

/**
 * A log of `size` events whose first `dropped` were removed by retention: `before` acts (holds) come first after the
 * dropped range, then the retention event, then ordinary events. Returns the sealed events and the fixture's signer.
 */
function retainedLog(options: { dropped: number; size: number; before?: AuditEventContent[]; retention?: Partial<RetentionDetails> }) {
  const fixture = buildLogFixture(options.dropped);
  const droppedEvents = fixture.events;
  const kept: AuditEventContent[] = [...(options.before ?? [])];
  const retentionIndex = options.dropped + kept.length;
  const last = droppedEvents[droppedEvents.length - 1] as SealedEvent;
  const details: RetentionDetails = {
    partition: 'audit_event_y2026m01',
    coversTo: last.leaf.ts.replace(/\.\d+Z$/, '.999999Z'),
    previousRetainedFrom: 0,
    retainedFrom: options.dropped,
    retentionMonths: 0,
    frontier: frontierOf(fixture.leafHashes).subtreeRoots().map(toHex),
    lastLeafHash: toHex(last.hash),
    holdsInForce: [],
    ...options.retention,
  };
  kept.push(act(RETENTION_APPLIED_ACTION, details as unknown as Record<string, unknown>));
  while (options.dropped + kept.length < options.size) kept.push(sampleContent(options.dropped + kept.length));
  const keptEvents = sealEvents(kept, { firstSeq: options.dropped, prev: last.hash });
  const all = [...droppedEvents, ...keptEvents];
  const leafHashes = all.map((event) => event.hash);
  const bundle = (checkpointSizes: number[], retentionEvent = keptEvents[retentionIndex - options.dropped] as SealedEvent) =>
    buildBundle(
      {
        origin: FIXTURE_ORIGIN,
        createdAt: '2026-02-01T00:00:00.000Z',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-02-01T00:00:00.000Z',
        firstSeq: options.dropped,
        events: keptEvents.map((event) => event.bytes),
        leafHashes: leafHashes.slice(options.dropped),
        retention: { retainedFrom: options.dropped, event: retentionEvent.bytes },
        checkpoints: checkpointSizes.map((size) => fixture.checkpoint(size)),
        publicKeys: [fixture.signer.verifierKey],
      },
      fixture.signer,
    );
  // The fixture's checkpoint() only knows the dropped leaves; sign over the whole log instead.
  fixture.leafHashes.push(...keptEvents.map((event) => event.hash));
  return { fixture, all, keptEvents, bundle, root: (size: number) => merkleRoot(leafHashes, size) };
}

describe('retention: a log that starts after dropped months', () => {
  it('verifies from the recorded frontier: old checkpoints are counted, later ones checked', () => {
    const log = retainedLog({ dropped: 13, size: 30 });
    expect(verifyBundle(log.bundle([8, 13, 20, 30]), { trustedKeys: log.fixture.trustedKeys })).toMatchObject({
      ok: true, retainedFrom: 13, size: 30, eventsChecked: 17, checkpointsBeforeRetention: 1, checkpointsVerified: 3, retentionDrops: 1,
    });
  });

  it('fails when the retention event in the bundle is not the one in the log', () => {
    const log = retainedLog({ dropped: 13, size: 30 });
    const impostor = log.keptEvents[5] as SealedEvent;
    expect(verifyBundle(log.bundle([30], impostor), { trustedKeys: log.fixture.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.RetentionAnchorMismatch });
  });

  it('fails when the recorded frontier is not the tree the checkpoints signed', () => {
    const honest = retainedLog({ dropped: 13, size: 30 });
    const forgedNode = toHex(Buffer.alloc(32, 7));
    const forged = retainedLog({ dropped: 13, size: 30, retention: { frontier: [forgedNode, ...frontierOf(honest.fixture.leafHashes.slice(0, 13)).subtreeRoots().slice(1).map(toHex)] } });
    const report = verifyBundle(forged.bundle([30]), { trustedKeys: forged.fixture.trustedKeys });
    // The forged log's own checkpoint is over its true leaves: the frontier's root cannot reach it.
    expect(report.failure).toMatchObject({ code: VerifyFailureCode.CheckpointRootMismatch, checkpointSize: 30 });
  });

  it('fails a drop made under a legal hold, or one that hides a hold in force', () => {
    const hold: LegalHoldScope = { holdId: 'h-1', coversFrom: '2025-12-01T00:00:00Z' };
    const under = retainedLog({ dropped: 6, size: 12, before: [act(LEGAL_HOLD_SET_ACTION, { ...hold })], retention: { holdsInForce: [hold] } });
    expect(verifyBundle(under.bundle([12]), { trustedKeys: under.fixture.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.RetentionUnderLegalHold, actual: 'h-1' });

    const elsewhere: LegalHoldScope = { holdId: 'h-2', coversFrom: '2030-01-01T00:00:00Z' };
    const hidden = retainedLog({ dropped: 6, size: 12, before: [act(LEGAL_HOLD_SET_ACTION, { ...elsewhere })] });
    expect(verifyBundle(hidden.bundle([12]), { trustedKeys: hidden.fixture.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.RetentionUnderLegalHold, actual: 'h-2' });

    const released = retainedLog({ dropped: 6, size: 12, before: [act(LEGAL_HOLD_SET_ACTION, { ...hold }), act(LEGAL_HOLD_RELEASED_ACTION, { holdId: 'h-1' })] });
    expect(verifyBundle(released.bundle([12]), { trustedKeys: released.fixture.trustedKeys })).toMatchObject({ ok: true });
  });

  it('fails a drop before its declared retention, or before the auditor\'s minimum', () => {
    const early = retainedLog({ dropped: 6, size: 12, retention: { retentionMonths: 1 } });
    expect(verifyBundle(early.bundle([12]), { trustedKeys: early.fixture.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.RetentionTooEarly });

    const onTime = retainedLog({ dropped: 6, size: 12 });
    const verifier = new LogVerifier({ trustedKeys: onTime.fixture.trustedKeys, minRetentionMonths: 72, retention: onTime.keptEvents[0]!.bytes });
    for (const event of onTime.keptEvents) verifier.push({ bytes: event.bytes, storedHash: event.hash });
    expect(verifier.finish().failure).toMatchObject({ code: VerifyFailureCode.RetentionTooEarly });
  });

  it('fails when the first retained event is older than the dropped month claims', () => {
    const log = retainedLog({ dropped: 6, size: 12, retention: { coversTo: '2027-01-01T00:00:00Z' } });
    expect(verifyBundle(log.bundle([12]), { trustedKeys: log.fixture.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.RetentionAnchorMismatch, seq: 6 });
  });
});

describe('LeafRange: proofs about retained leaves from the frontier of the dropped ones', () => {
  const leaves = buildLogFixture(45).leafHashes;

  it.each([1, 2, 5, 8, 13, 16, 31, 32, 33, 44])('gives the same inclusion and consistency proofs with the first %i leaves dropped', (dropped) => {
    const range = new LeafRange(leaves.slice(dropped), dropped, frontierOf(leaves.slice(0, dropped)));
    for (const size of new Set([dropped + 1, dropped + 2, 32, 33, leaves.length].filter((n) => n > dropped && n <= leaves.length))) {
      for (let index = dropped; index < size; index++) expect(inclusionProof(range, index, size)).toEqual(inclusionProof(leaves, index, size));
      expect(consistencyProof(range, dropped, size)).toEqual(consistencyProof(leaves, dropped, size));
    }
    expect(() => inclusionProof(range, dropped - 1, leaves.length)).toThrow(RangeError);
  });

  it('restores a frontier only with one subtree root per one bit of its size', () => {
    const roots = frontierOf(leaves.slice(0, 13)).subtreeRoots();
    expect(MerkleFrontier.restore(13, roots)?.root()).toEqual(merkleRoot(leaves, 13));
    expect(MerkleFrontier.restore(12, roots)).toBeUndefined();
    expect(MerkleFrontier.restore(13, roots.slice(1))).toBeUndefined();
  });
});
