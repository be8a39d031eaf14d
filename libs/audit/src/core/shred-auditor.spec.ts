import type { AuditEventContent } from './audit-event';
import { DATA_SUBJECT_ERASED_ACTION, ShredAuditor, shredFactsOf } from './shred-auditor';
import { buildBundle, verifyBundle, verifyBundleAsync } from './evidence-bundle';
import { formatCheckpoint } from './checkpoint';
import { merkleRoot } from './merkle-tree';
import { createNoteSigner, generateEd25519PrivateKey, parseVerifierKey, signNote } from './signed-note';
import { FIXTURE_ORIGIN, sealEvents, sampleContent } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';

const KEY_A = '0190b3a4-0000-7000-8000-00000000000a';
const KEY_B = '0190b3a4-0000-7000-8000-00000000000b';
const sealedUnder = (index: number, keyId: string) => ({
  ...sampleContent(index),
  payload: { mode: 'hash' as const, promptSha256: 'ef'.repeat(32), raw: { alg: 'A256GCM' as const, keyId, iv: 'AAAA', ciphertext: 'BBBB' } },
});
const erasure = (keyIds: string[]): AuditEventContent => ({
  action: DATA_SUBJECT_ERASED_ACTION,
  outcome: 'success',
  tenant: 'default',
  actor: { principalId: 'dpo', kind: 'user', tenant: 'default', authMethod: 'session' },
  details: { keyIds, erasedKeys: keyIds.length },
});

describe(ShredAuditor.name, () => {
  it('counts the payloads a recorded erasure made unreadable, and nothing else', () => {
    const events = sealEvents([sealedUnder(0, KEY_A), sealedUnder(1, KEY_B), sealedUnder(2, KEY_A), sampleContent(3), erasure([KEY_A])]);
    const sut = new ShredAuditor();
    for (const event of events) expect(sut.observe(shredFactsOf(event.leaf))).toBeUndefined();
    expect(sut.shreddedPayloads).toBe(2);
    expect(sut.erasures).toBe(1);
  });

  it('fails content sealed under a key after its erasure: a destroyed key never comes back', () => {
    const events = sealEvents([sealedUnder(0, KEY_A), erasure([KEY_A]), sealedUnder(2, KEY_B), sealedUnder(3, KEY_A)]);
    const sut = new ShredAuditor();
    const failures = events.map((event) => sut.observe(shredFactsOf(event.leaf)));
    expect(failures.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(failures[3]).toMatchObject({ code: VerifyFailureCode.ShreddedKeyReused, actual: KEY_A });
  });

  it('ignores an erasure that did not succeed', () => {
    const events = sealEvents([{ ...erasure([KEY_A]), outcome: 'failure' }, sealedUnder(1, KEY_A)]);
    const sut = new ShredAuditor();
    expect(events.map((event) => sut.observe(shredFactsOf(event.leaf)))).toEqual([undefined, undefined]);
    expect(sut.shreddedPayloads).toBe(0);
  });
});

describe('the verifier with erasures', () => {
  const bundleOf = (contents: AuditEventContent[]) => {
    const signer = createNoteSigner(FIXTURE_ORIGIN, generateEd25519PrivateKey());
    const events = sealEvents(contents);
    const leafHashes = events.map((event) => event.hash);
    const checkpoint = signNote(formatCheckpoint({ origin: FIXTURE_ORIGIN, size: events.length, root: merkleRoot(leafHashes), extensions: [] }), [signer]);
    const bundle = buildBundle({ origin: FIXTURE_ORIGIN, createdAt: '2026-02-01T00:00:00.000Z', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', firstSeq: 0, events: events.map((event) => event.bytes), leafHashes, checkpoints: [checkpoint], publicKeys: [signer.verifierKey] }, signer);
    return { bundle, trustedKeys: [{ verifier: parseVerifierKey(signer.verifierKey) }] };
  };

  it('reports how many payloads recorded erasures made unreadable, sequentially and in parallel', async () => {
    const { bundle, trustedKeys } = bundleOf([sealedUnder(0, KEY_A), sealedUnder(1, KEY_B), sealedUnder(2, KEY_A), erasure([KEY_A])]);
    expect(verifyBundle(bundle, { trustedKeys })).toMatchObject({ ok: true, shreddedPayloads: 2, erasures: 1 });
    expect(await verifyBundleAsync(bundle, { trustedKeys, workers: 1 })).toMatchObject({ ok: true, shreddedPayloads: 2, erasures: 1 });
  });

  it('fails a log that seals content under an erased key', async () => {
    const { bundle, trustedKeys } = bundleOf([sealedUnder(0, KEY_A), erasure([KEY_A]), sealedUnder(2, KEY_A)]);
    expect(verifyBundle(bundle, { trustedKeys }).failure).toMatchObject({ code: VerifyFailureCode.ShreddedKeyReused, seq: 2 });
    expect((await verifyBundleAsync(bundle, { trustedKeys, workers: 1 })).failure).toMatchObject({ code: VerifyFailureCode.ShreddedKeyReused, seq: 2 });
  });
});
