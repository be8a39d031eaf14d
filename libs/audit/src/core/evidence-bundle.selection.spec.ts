import { verifyBundle, verifyBundleAsync } from './evidence-bundle';
import { buildLogFixture } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';

// A bundle of a search's events (the console's filter): only those events travel as bytes, every leaf hash beside them,
// and the signed manifest names their positions.
describe('evidence bundles of a selection', () => {
  const log = buildLogFixture(30, [12, 30]);
  const selected = [3, 4, 17, 29];
  const selection = (positions: number[]) => ({
    firstSeq: positions[0] ?? 0,
    events: positions.map((position) => log.events[position]!.bytes),
    selection: { filter: { action: 'inference.' }, positions },
  });

  it('verifies the selected events as canonical leaves in their places, and the whole tree by its leaf hashes', async () => {
    const bundle = log.bundle(selection(selected));
    expect(verifyBundle(bundle, { trustedKeys: log.trustedKeys })).toMatchObject({ ok: true, size: 30, eventsChecked: 4, checkpointsVerified: 2 });
    expect(await verifyBundleAsync(bundle, { trustedKeys: log.trustedKeys, workers: 1 })).toMatchObject({ ok: true, eventsChecked: 4 });
  });

  it('fails an event placed at another position than its own, and positions that are not ascending', () => {
    const swapped = log.bundle({ ...selection(selected), events: [3, 17, 4, 29].map((position) => log.events[position]!.bytes) });
    expect(verifyBundle(swapped, { trustedKeys: log.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.EventOutOfPlace, seq: 4 });
    const unordered = log.bundle({ ...selection(selected), selection: { filter: {}, positions: [4, 3, 17, 29] } });
    expect(verifyBundle(unordered, { trustedKeys: log.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.BundleManifestInvalid });
    const short = log.bundle({ ...selection(selected), selection: { filter: {}, positions: [3, 4, 17] } });
    expect(verifyBundle(short, { trustedKeys: log.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.BundleManifestInvalid });
  });

  it('fails a selected event whose bytes were changed', () => {
    const events = selected.map((position) => log.events[position]!.bytes);
    events[2] = Buffer.from(events[2]!.toString('utf8').replace('"outcome":"success"', '"outcome":"failure"'));
    expect(verifyBundle(log.bundle({ ...selection(selected), events }), { trustedKeys: log.trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.EventHashMismatch, seq: 17 });
  });
});
