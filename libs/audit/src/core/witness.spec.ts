import { verifyBundle } from './evidence-bundle';
import { consistencyProof } from './merkle-tree';
import { createNoteSigner, generateEd25519PrivateKey, parseSignedNote, parseVerifierKey } from './signed-note';
import { buildLogFixture } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';
import { addCheckpoint, countCosignatures, createCosigner, parseCosignerKey, type WitnessedHead } from './witness';

const request = (oldSize: number, proof: Buffer[], note: string): string => `old ${oldSize}\n${proof.map((p) => `${p.toString('base64')}\n`).join('')}\n${note}`;

describe(addCheckpoint.name, () => {
  const log = buildLogFixture(30, [10, 20, 30]);
  const cosigner = createCosigner('witness.test/w1', generateEd25519PrivateKey());
  const logs = [{ origin: log.origin, verifiers: [parseVerifierKey(log.signer.verifierKey)] }];

  function witness() {
    const state = new Map<string, WitnessedHead>();
    return (body: string) => {
      const outcome = addCheckpoint(body, logs, (origin) => state.get(origin), cosigner, 1_767_225_600);
      if (outcome.status === 200) state.set(outcome.origin, outcome.head);
      return outcome;
    };
  }

  it('cosigns a first checkpoint and then consistent growth, with cosignatures any client can check', () => {
    const sut = witness();
    const first = sut(request(0, [], log.checkpoint(10)));
    expect(first.status).toBe(200);
    const cosigned = log.checkpoint(10) + first.body;
    expect(countCosignatures(cosigned, [parseCosignerKey(cosigner.verifierKey)])).toBe(1);
    expect(parseSignedNote(cosigned).signatures).toHaveLength(2);
    expect(sut(request(10, consistencyProof(log.leafHashes, 10, 20), log.checkpoint(20))).status).toBe(200);
    expect(sut(request(20, [], log.checkpoint(20))).status).toBe(200);
  });

  it('answers as tlog-witness prescribes for stale sizes, bad proofs, unknown logs and untrusted signatures', () => {
    const sut = witness();
    sut(request(0, [], log.checkpoint(10)));
    expect(sut(request(0, [], log.checkpoint(20)))).toMatchObject({ status: 409, body: '10\n', contentType: 'text/x.tlog.size' });
    expect(sut(request(10, consistencyProof(log.leafHashes, 10, 30), log.checkpoint(20))).status).toBe(422);
    expect(sut(request(30, [], log.checkpoint(20))).status).toBe(400);
    const stranger = createNoteSigner(log.origin, generateEd25519PrivateKey());
    expect(sut(request(10, consistencyProof(log.leafHashes, 10, 20), log.checkpoint(20, stranger))).status).toBe(403);
    const other = buildLogFixture(5);
    expect(addCheckpoint(request(0, [], other.checkpoint(5).replace(other.origin, 'elsewhere/log')), logs, () => undefined, cosigner, 1).status).toBe(404);
  });

  it('refuses a split view: a second history of the same log cannot prove consistency with the first', () => {
    const sut = witness();
    sut(request(0, [], log.checkpoint(20)));
    const fork = buildLogFixture(30);
    const forkCheckpoint = fork.checkpoint(30, log.signer); // the log key signs a different history
    expect(sut(request(20, consistencyProof(fork.leafHashes, 20, 30), forkCheckpoint)).status).toBe(422);
  });

  it('lets verifyBundle demand a quorum of witness cosignatures', () => {
    const sut = witness();
    const witnessKeys = [parseCosignerKey(cosigner.verifierKey)];
    const uncosigned = log.bundle();
    expect(verifyBundle(uncosigned, { trustedKeys: log.trustedKeys, witnesses: witnessKeys, quorum: 1 }).failure?.code).toBe(VerifyFailureCode.CheckpointWitnessQuorum);
    const cosigned30 = log.checkpoint(30) + (sut(request(0, [], log.checkpoint(30))) as { body: string }).body;
    const report = verifyBundle(log.bundle({ checkpoints: [log.checkpoint(10), cosigned30] }), { trustedKeys: log.trustedKeys, witnesses: witnessKeys, quorum: 1 });
    expect(report).toMatchObject({ ok: true, cosignatures: 1 });
    expect(verifyBundle(log.bundle({ checkpoints: [cosigned30] }), { trustedKeys: log.trustedKeys, witnesses: witnessKeys, quorum: 2 }).failure?.code).toBe(VerifyFailureCode.CheckpointWitnessQuorum);
  });
});
