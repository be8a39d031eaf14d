import { canonicalize } from './canonical-json';
import { BUNDLE_FILES, verifyBundle } from './evidence-bundle';
import { createNoteSigner, generateEd25519PrivateKey, parseVerifierKey } from './signed-note';
import { readTar, writeTar } from './tar-archive';
import { buildLogFixture, sampleContent, sealEvents } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';

const withFile = (archive: Buffer, name: string, edit: (data: Buffer) => Buffer | undefined): Buffer =>
  writeTar(readTar(archive).flatMap((entry) => {
    if (entry.name !== name) return [entry];
    const data = edit(entry.data);
    return data ? [{ name, data }] : [];
  }));

describe(verifyBundle.name, () => {
  const log = buildLogFixture(30, [10, 25, 30]);
  const bytesOf = (events: { bytes: Buffer }[]) => events.map((event) => event.bytes);

  it('accepts an intact bundle and reports what it checked', () => {
    const sut = verifyBundle(log.bundle(), { trustedKeys: log.trustedKeys });
    expect(sut).toMatchObject({ ok: true, origin: log.origin, size: 30, eventsChecked: 30, sealedSize: 30, unsealed: 0, checkpointsVerified: 3 });
    expect(sut.incompleteRequests.count).toBe(0);
  });

  it('accepts a partial range and still checks its chain links against the leaf list', () => {
    const sut = verifyBundle(log.bundle({ firstSeq: 12, events: bytesOf(log.events.slice(12, 20)) }), { trustedKeys: log.trustedKeys });
    expect(sut).toMatchObject({ ok: true, eventsChecked: 8, size: 30 });
  });

  it('reports a request without its response as incomplete, not as tampering', () => {
    const sut = verifyBundle(log.bundle({ events: bytesOf(log.events.slice(0, 28)), leafHashes: log.leafHashes.slice(0, 28), checkpoints: [log.checkpoint(25)] }), { trustedKeys: log.trustedKeys });
    expect(sut).toMatchObject({ ok: true, unsealed: 3, incompleteRequests: { count: 1, requestIds: ['req-9'] } });
  });

  // An insider who holds the log key can re-sign the manifest: each case must still be caught by the log's structure.
  it.each([
    ['a changed field', VerifyFailureCode.EventHashMismatch, 7, () => {
      const events = bytesOf(log.events);
      events[7] = Buffer.from(events[7]!.toString().replace('"outcome":"success"', '"outcome":"denied"'));
      return log.bundle({ events });
    }],
    ['a changed field with its leaf hash recomputed', VerifyFailureCode.EventChainBroken, 8, () => {
      const forged = sealEvents([{ ...sampleContent(7), outcome: 'denied' }], { firstSeq: 7, prev: log.leafHashes[6] });
      const events = bytesOf(log.events);
      events[7] = forged[0]!.bytes;
      const leafHashes = [...log.leafHashes];
      leafHashes[7] = forged[0]!.hash;
      return log.bundle({ events, leafHashes });
    }],
    ['a rewritten history with recomputed hashes', VerifyFailureCode.CheckpointRootMismatch, 9, () => {
      const forged = sealEvents([...Array(30).keys()].map((index) => ({ ...sampleContent(index), tenant: index === 4 ? 'evil' : 'default' })));
      return log.bundle({ events: bytesOf(forged), leafHashes: forged.map((event) => event.hash) });
    }],
    ['a deleted event', VerifyFailureCode.EventOutOfPlace, 5, () => log.bundle({ events: bytesOf(log.events.filter((_, index) => index !== 5)), leafHashes: log.leafHashes.filter((_, index) => index !== 5) })],
    ['an inserted event', VerifyFailureCode.EventOutOfPlace, 4, () => {
      const inserted = sealEvents([sampleContent(99)], { firstSeq: 3, prev: log.leafHashes[2] })[0]!;
      const events = bytesOf(log.events);
      events.splice(3, 0, inserted.bytes);
      const leafHashes = [...log.leafHashes];
      leafHashes.splice(3, 0, inserted.hash);
      return log.bundle({ events, leafHashes });
    }],
    ['two events swapped', VerifyFailureCode.EventOutOfPlace, 4, () => {
      const events = bytesOf(log.events);
      [events[4], events[5]] = [events[5]!, events[4]!];
      return log.bundle({ events });
    }],
    ['a truncated tail', VerifyFailureCode.CheckpointBeyondLog, 27, () => log.bundle({ events: bytesOf(log.events.slice(0, 27)), leafHashes: log.leafHashes.slice(0, 27) })],
    ['a non-canonical event', VerifyFailureCode.EventNotCanonical, 2, () => {
      const events = bytesOf(log.events);
      events[2] = Buffer.from(events[2]!.toString().replace('{', '{ '));
      return log.bundle({ events });
    }],
  ])('catches %s as %s at position %i', (_, code, seq, tamper) => {
    const sut = verifyBundle(tamper(), { trustedKeys: log.trustedKeys });
    expect(sut.ok).toBe(false);
    expect(sut.failure).toMatchObject({ code, seq });
  });

  it('catches a checkpoint with a bad signature, or signed by a key it does not trust', () => {
    const other = createNoteSigner(log.origin, generateEd25519PrivateKey());
    const good = log.checkpoint(10);
    const at = good.length - 20; // a full 6-bit character inside the base64 signature
    const badSignature = good.slice(0, at) + (good[at] === 'Q' ? 'R' : 'Q') + good.slice(at + 1);
    expect(verifyBundle(log.bundle({ checkpoints: [badSignature] }), { trustedKeys: log.trustedKeys }).failure?.code).toBe(VerifyFailureCode.CheckpointSignatureInvalid);
    expect(verifyBundle(log.bundle({ checkpoints: [log.checkpoint(10, other)] }), { trustedKeys: log.trustedKeys }).failure?.code).toBe(VerifyFailureCode.CheckpointUntrusted);
  });

  it('never trusts the keys inside the bundle', () => {
    const attacker = createNoteSigner(log.origin, generateEd25519PrivateKey());
    const forged = log.bundle({ publicKeys: [attacker.verifierKey] }, attacker);
    expect(verifyBundle(forged, { trustedKeys: log.trustedKeys }).failure?.code).toBe(VerifyFailureCode.BundleManifestSignatureInvalid);
  });

  it('refuses a log smaller than, or different from, a checkpoint seen before', () => {
    const older = log.bundle({ events: bytesOf(log.events.slice(0, 25)), leafHashes: log.leafHashes.slice(0, 25), checkpoints: [log.checkpoint(10), log.checkpoint(25)] });
    expect(verifyBundle(older, { trustedKeys: log.trustedKeys }).ok).toBe(true);
    expect(verifyBundle(older, { trustedKeys: log.trustedKeys, lastSeen: [log.checkpoint(30)] }).failure?.code).toBe(VerifyFailureCode.LogRolledBack);
    const fork = buildLogFixture(30);
    const forkSeenBefore = fork.checkpoint(20, log.signer);
    expect(verifyBundle(log.bundle(), { trustedKeys: log.trustedKeys, lastSeen: [forkSeenBefore] }).failure?.code).toBe(VerifyFailureCode.LogForked);
  });

  it('refuses a signature outside its key window', () => {
    const keys = [{ verifier: parseVerifierKey(log.signer.verifierKey), notBefore: '2025-01-01T00:00:00Z', notAfter: '2026-01-01T00:00:05Z' }];
    expect(verifyBundle(log.bundle({ checkpoints: [log.checkpoint(5)] }), { trustedKeys: keys }).ok).toBe(true);
    expect(verifyBundle(log.bundle({ checkpoints: [log.checkpoint(10)] }), { trustedKeys: keys }).failure?.code).toBe(VerifyFailureCode.CheckpointKeyOutsideWindow);
  });

  it.each([
    ['a missing file', VerifyFailureCode.BundleFileMissing, (archive: Buffer) => withFile(archive, BUNDLE_FILES.leaves, () => undefined)],
    ['a changed file', VerifyFailureCode.BundleFileHashMismatch, (archive: Buffer) => withFile(archive, BUNDLE_FILES.events, (data) => Buffer.concat([data, Buffer.from('{}\n')]))],
    ['a duplicated file', VerifyFailureCode.BundleFileDuplicated, (archive: Buffer) => writeTar([...readTar(archive), readTar(archive)[2]!])],
    ['two files swapped', VerifyFailureCode.BundleFileHashMismatch, (archive: Buffer) => {
      const entries = readTar(archive);
      const checkpoints = entries.find((e) => e.name === BUNDLE_FILES.checkpoints)!;
      const keys = entries.find((e) => e.name === BUNDLE_FILES.keys)!;
      return writeTar(entries.map((e) => (e === checkpoints ? { name: e.name, data: keys.data } : e === keys ? { name: e.name, data: checkpoints.data } : e)));
    }],
    ['an unlisted file', VerifyFailureCode.BundleFileUnexpected, (archive: Buffer) => writeTar([...readTar(archive), { name: 'extra.txt', data: Buffer.from('x') }])],
    ['a changed manifest', VerifyFailureCode.BundleFileHashMismatch, (archive: Buffer) => withFile(archive, BUNDLE_FILES.manifest, (data) => Buffer.from(canonicalize({ ...(JSON.parse(data.toString()) as object), treeSize: 29 })))],
    ['garbage', VerifyFailureCode.BundleUnreadable, () => Buffer.alloc(700, 7)],
  ])('catches %s as %s', (_, code, tamper) => {
    expect(verifyBundle(tamper(log.bundle()), { trustedKeys: log.trustedKeys }).failure?.code).toBe(code);
  });
});
