import type { AuditEventContent } from './audit-event';
import { verifyBundle, verifyBundleAsync, type VerifyBundleOptions } from './evidence-bundle';
import { toHex } from './hashing';
import { checkLeafBatch, type LeafBatch } from './leaf-batch-check';
import { LeafCheckPool } from './leaf-check-pool';
import { MerkleFrontier } from './merkle-tree';
import { LEGAL_HOLD_RELEASED_ACTION, LEGAL_HOLD_SET_ACTION, RETENTION_APPLIED_ACTION } from './retention';
import { buildLogFixture, FIXTURE_ORIGIN, sampleContent, sealEvents } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';

const SIZE = 3_000;
const BATCH = 200; // 15 batches: most go to the workers, some are checked on the main thread while it waits

/** Counts the batches the workers answered, so a pass that silently fell back to one thread cannot pass. */
const check = LeafCheckPool.prototype.check;
let answeredByWorkers = 0;
jest.spyOn(LeafCheckPool.prototype, 'check').mockImplementation(function (this: LeafCheckPool, batch: LeafBatch) {
  return check.call(this, batch).then((facts) => {
    answeredByWorkers++;
    return facts;
  });
});

/** The sequential report and the parallel one (two workers, already started) for the same bundle. */
async function bothWays(bundle: Buffer, options: VerifyBundleOptions) {
  const pool = LeafCheckPool.spawn(2);
  expect(await pool.ready()).toBe(2);
  const before = answeredByWorkers;
  const inParallel = await verifyBundleAsync(bundle, { ...options, pool, batchSize: BATCH });
  return { sequential: verifyBundle(bundle, options), inParallel, batchesFromWorkers: answeredByWorkers - before };
}

const act = (action: string, details: Record<string, unknown>): AuditEventContent => ({
  action,
  outcome: 'success',
  tenant: 'default',
  actor: { principalId: 'records-officer', kind: 'user', tenant: 'default', authMethod: 'api_key' },
  details: details as AuditEventContent['details'],
});

describe(verifyBundleAsync.name, () => {
  const log = buildLogFixture(SIZE, [1_000, 2_048, SIZE - 1]);
  const events = () => log.events.map((event) => event.bytes);
  const edit = (bytes: Buffer, from: string, to: string) => Buffer.from(bytes.toString('utf8').replace(from, to));

  it('gives the sequential report for an intact bundle, with batches checked in the workers', async () => {
    const { sequential, inParallel, batchesFromWorkers } = await bothWays(log.bundle(), { trustedKeys: log.trustedKeys });
    expect(sequential).toMatchObject({ ok: true, size: SIZE, eventsChecked: SIZE, checkpointsVerified: 3 });
    expect(inParallel).toEqual(sequential);
    expect(batchesFromWorkers).toBeGreaterThan(0);
  });

  it.each([
    ['a changed field', VerifyFailureCode.EventHashMismatch, 1_234, () => {
      const bytes = events();
      bytes[1_234] = edit(bytes[1_234]!, '"outcome":"success"', '"outcome":"denied"');
      return log.bundle({ events: bytes });
    }],
    ['non-canonical bytes', VerifyFailureCode.EventNotCanonical, 2_100, () => {
      const bytes = events();
      bytes[2_100] = edit(bytes[2_100]!, '{', '{ ');
      return log.bundle({ events: bytes });
    }],
    ['a byte that is not UTF-8', VerifyFailureCode.EventNotCanonical, 1_999, () => {
      const bytes = events();
      const broken = Buffer.from(bytes[1_999]!);
      broken[broken.indexOf('default')] = 0xff;
      bytes[1_999] = broken;
      return log.bundle({ events: bytes });
    }],
    ['a header of another version', VerifyFailureCode.EventMalformed, 2_500, () => {
      const bytes = events();
      bytes[2_500] = edit(bytes[2_500]!, '"v":1', '"v":2');
      return log.bundle({ events: bytes });
    }],
    ['two swapped events', VerifyFailureCode.EventOutOfPlace, 1_700, () => {
      const bytes = events();
      [bytes[1_700], bytes[1_701]] = [bytes[1_701]!, bytes[1_700]!];
      return log.bundle({ events: bytes });
    }],
    ['an event of another log', VerifyFailureCode.EventWrongOrigin, 1_800, () => {
      const foreign = sealEvents([sampleContent(1_800)], { origin: 'attest.test/audit/other', firstSeq: 1_800, prev: log.leafHashes[1_799] })[0]!;
      const bytes = events();
      bytes[1_800] = foreign.bytes;
      const leafHashes = [...log.leafHashes];
      leafHashes[1_800] = foreign.hash;
      return log.bundle({ events: bytes, leafHashes });
    }],
    ['a re-sealed event that breaks the chain after it', VerifyFailureCode.EventChainBroken, 901, () => {
      const forged = sealEvents([{ ...sampleContent(900), outcome: 'denied' }], { firstSeq: 900, prev: log.leafHashes[899] })[0]!;
      const bytes = events();
      bytes[900] = forged.bytes;
      const leafHashes = [...log.leafHashes];
      leafHashes[900] = forged.hash;
      return log.bundle({ events: bytes, leafHashes });
    }],
    ['a history rewritten from 1500 with every hash recomputed', VerifyFailureCode.CheckpointRootMismatch, 2_047, () => {
      const contents = Array.from({ length: SIZE - 1_500 }, (_, index) => ({ ...sampleContent(1_500 + index), tenant: index === 0 ? 'evil' : 'default' }));
      const forged = [...log.events.slice(0, 1_500), ...sealEvents(contents, { firstSeq: 1_500, prev: log.leafHashes[1_499] })];
      return log.bundle({ events: forged.map((event) => event.bytes), leafHashes: forged.map((event) => event.hash) });
    }],
  ])('reports %s exactly as the sequential pass (%s at %i)', async (_, code, seq, tamper) => {
    const { sequential, inParallel, batchesFromWorkers } = await bothWays(tamper(), { trustedKeys: log.trustedKeys });
    expect(sequential.failure).toMatchObject({ code, seq });
    expect(inParallel).toEqual(sequential);
    expect(batchesFromWorkers).toBeGreaterThan(0);
  });

  it('reads the last leaf before a checkpoint for its key window, and lists incomplete requests, as the sequential pass', async () => {
    const windowed = [{ ...log.trustedKeys[0]!, notAfter: '2026-01-01T00:20:00Z' }];
    const outside = await bothWays(log.bundle(), { trustedKeys: windowed });
    expect(outside.sequential.failure).toMatchObject({ code: VerifyFailureCode.CheckpointKeyOutsideWindow, checkpointSize: 2_048 });
    expect(outside.inParallel).toEqual(outside.sequential);

    const truncated = log.bundle({ events: events().slice(0, 2_998), leafHashes: log.leafHashes.slice(0, 2_998), checkpoints: [log.checkpoint(2_048)] });
    const open = await bothWays(truncated, { trustedKeys: log.trustedKeys });
    expect(open.sequential).toMatchObject({ ok: true, incompleteRequests: { count: 1, requestIds: ['req-999'] } });
    expect(open.inParallel).toEqual(open.sequential);
  });

  it('replays legal holds and checks a retention drop in the middle of the batches as the sequential pass', async () => {
    const dropped = buildLogFixture(600);
    const frontier = new MerkleFrontier();
    for (const hash of dropped.leafHashes) frontier.append(hash);
    const last = dropped.events[599]!;
    const drop = (holdsInForce: unknown[]) =>
      act(RETENTION_APPLIED_ACTION, {
        partition: 'audit_event_y2026m01',
        coversTo: last.leaf.ts,
        previousRetainedFrom: 0,
        retainedFrom: 600,
        retentionMonths: 0,
        frontier: frontier.subtreeRoots().map(toHex),
        lastLeafHash: toHex(last.hash),
        holdsInForce,
      });
    const build = (holdsInForce: unknown[]) => {
      const contents = Array.from({ length: 2_400 }, (_, index) => sampleContent(600 + index));
      contents[700] = act(LEGAL_HOLD_SET_ACTION, { holdId: 'h-1', coversFrom: '2030-01-01T00:00:00Z', reason: 'litigation' });
      contents[1_300] = drop(holdsInForce);
      contents[1_900] = act(LEGAL_HOLD_RELEASED_ACTION, { holdId: 'h-1', reason: 'settled' });
      const kept = sealEvents(contents, { firstSeq: 600, prev: last.hash });
      dropped.leafHashes.length = 600;
      dropped.leafHashes.push(...kept.map((event) => event.hash));
      return dropped.bundle({
        firstSeq: 600,
        events: kept.map((event) => event.bytes),
        leafHashes: dropped.leafHashes.slice(600),
        retention: { retainedFrom: 600, event: kept[1_300]!.bytes },
        checkpoints: [dropped.checkpoint(1_500), dropped.checkpoint(3_000)],
      });
    };
    const lawful = await bothWays(build([{ holdId: 'h-1', coversFrom: '2030-01-01T00:00:00Z' }]), { trustedKeys: dropped.trustedKeys });
    expect(lawful.sequential).toMatchObject({ ok: true, retainedFrom: 600, retentionDrops: 1, eventsChecked: 2_400 });
    expect(lawful.inParallel).toEqual(lawful.sequential);

    const hidden = await bothWays(build([]), { trustedKeys: dropped.trustedKeys });
    expect(hidden.sequential.failure).toMatchObject({ code: VerifyFailureCode.RetentionUnderLegalHold, seq: 1_900 });
    expect(hidden.inParallel).toEqual(hidden.sequential);
  });

  it('leaves a bundle without an origin-naming checkpoint to the first event, as the sequential pass', async () => {
    const { sequential, inParallel } = await bothWays(log.bundle({ checkpoints: [] }), { trustedKeys: log.trustedKeys });
    expect(sequential).toMatchObject({ ok: true, origin: FIXTURE_ORIGIN, eventsChecked: SIZE });
    expect(inParallel).toEqual(sequential);
  });
});

describe(LeafCheckPool.name, () => {
  it('answers a batch in a worker thread exactly as the checker does on this one', async () => {
    const log = buildLogFixture(50);
    const data = Buffer.concat(log.events.map((event) => event.bytes));
    const bounds = new Int32Array(100);
    log.events.reduce((offset, event, index) => (bounds.set([offset, offset + event.bytes.length], 2 * index), offset + event.bytes.length), 0);
    const batch = (): LeafBatch => ({ origin: FIXTURE_ORIGIN, firstPosition: 0, data: new Uint8Array(data), bounds });
    const sut = LeafCheckPool.spawn(1);
    try {
      expect(await sut.ready()).toBe(1);
      const facts = await sut.check(batch());
      expect(facts).toEqual({ ...checkLeafBatch(batch()), prev: expect.anything() });
      expect(Buffer.from(facts.prev).equals(Buffer.from(checkLeafBatch(batch()).prev))).toBe(true);
      expect(facts.passed).toBe(50);
    } finally {
      await sut.close();
    }
  });
});
