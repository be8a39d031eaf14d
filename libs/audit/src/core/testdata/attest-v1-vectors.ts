import { formatCheckpoint } from '../checkpoint';
import { type AuditEventContent, sealEvent, type SealedEvent } from '../audit-event';
import { GENESIS_PREVIOUS_HASH } from '../hashing';
import { merkleRoot } from '../merkle-tree';
import { createNoteSigner, ed25519PrivateKeyFromSeed, signNote } from '../signed-note';

/** Inputs of the version-1 test vectors (outputs committed in attest-v1.vectors.json): a fixed key (RFC 8032 seed) and three fixed events. */
export const VECTOR_ORIGIN = 'attest.example/audit/vectors';
export const VECTOR_SEED_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const VECTOR_CONTENTS: AuditEventContent[] = [
  { action: 'inference.request', outcome: 'success', tenant: 'default', requestId: 'r1', actor: { principalId: 'alice', kind: 'user', tenant: 'default', authMethod: 'api_key', keyId: 'k1' }, pii: { EMAIL: 1 }, payload: { mode: 'hash', promptSha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' } },
  { action: 'inference.response', outcome: 'success', tenant: 'default', requestId: 'r1', actor: { principalId: 'alice', kind: 'user', tenant: 'default', authMethod: 'api_key', keyId: 'k1' }, usage: { promptTokens: 5, completionTokens: 7 }, latencyMs: 12.5, details: { note: 'caf\u00e9 \u20ac \ud83d\ude00 "q" \\ \n' } },
  { action: 'api_key.revoked', outcome: 'denied', tenant: 'default', actor: { principalId: 'bob', kind: 'user', tenant: 'default', authMethod: 'session' }, resource: { type: 'api_key', id: 'k1' } },
];
const IDS = ['01900000-0000-7000-8000-000000000000', '01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002'];

export function computeVectors(): { verifierKey: string; events: SealedEvent[]; root: string; checkpoint: string } {
  const signer = createNoteSigner(VECTOR_ORIGIN, ed25519PrivateKeyFromSeed(Buffer.from(VECTOR_SEED_HEX, 'hex')));
  let prev = GENESIS_PREVIOUS_HASH;
  const events = VECTOR_CONTENTS.map((content, seq) => {
    const sealed = sealEvent(content, { origin: VECTOR_ORIGIN, seq, id: IDS[seq] as string, ts: `2026-01-01T00:00:0${seq}.00000${seq}Z`, epoch: 1, prev, writer: 'vectors' });
    prev = sealed.hash;
    return sealed;
  });
  const root = merkleRoot(events.map((e) => e.hash));
  const checkpoint = signNote(formatCheckpoint({ origin: VECTOR_ORIGIN, size: events.length, root, extensions: [] }), [signer]);
  return { verifierKey: signer.verifierKey, events, root: root.toString('base64'), checkpoint };
}
