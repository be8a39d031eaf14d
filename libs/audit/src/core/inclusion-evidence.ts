import { readLeaf } from './audit-event';
import { parseCheckpoint } from './checkpoint';
import { type Hash, leafHash } from './hashing';
import { verifyInclusion } from './merkle-tree';
import { verifyNote } from './signed-note';
import type { TrustedKey } from './trusted-keys';

/** `attest audit prove`: one event, its audit path and the signed checkpoint it proves against. Checkable alone. */
export interface InclusionEvidence {
  format: 'attest-inclusion/1';
  /** The event's canonical bytes as a UTF-8 string (they are JSON). */
  event: string;
  seq: number;
  treeSize: number;
  /** Base64 audit path, leaf to root (RFC 9162 §2.1.3). */
  proof: string[];
  /** The signed checkpoint note. */
  checkpoint: string;
}

export type InclusionCheck = { ok: true; seq: number; treeSize: number } | { ok: false; reason: string };

/**
 * Checks inclusion evidence against trusted keys: signed checkpoint, then the audit path from the event's leaf hash.
 *
 * @example
 * verifyInclusionEvidence(JSON.parse(text), trustedKeys); // { ok: true, seq: 41, treeSize: 1000 }
 */
export function verifyInclusionEvidence(evidence: InclusionEvidence, trustedKeys: readonly TrustedKey[]): InclusionCheck {
  const note = verifyNote(evidence.checkpoint, trustedKeys.map((key) => key.verifier));
  if (!note.ok) return { ok: false, reason: `checkpoint: ${note.detail}` };
  const checkpoint = parseCheckpoint(note.text);
  const bytes = Buffer.from(evidence.event, 'utf8');
  const leaf = readLeaf(bytes);
  if (leaf.seq !== evidence.seq || leaf.origin !== checkpoint.origin) return { ok: false, reason: 'the event is not the one the proof is for' };
  if (checkpoint.size !== evidence.treeSize) return { ok: false, reason: 'the proof is for another tree size than the checkpoint' };
  const proof: Hash[] = evidence.proof.map((node) => Buffer.from(node, 'base64'));
  if (!verifyInclusion(leafHash(bytes), leaf.seq, checkpoint.size, proof, checkpoint.root)) return { ok: false, reason: 'the audit path does not lead to the signed root' };
  return { ok: true, seq: leaf.seq, treeSize: checkpoint.size };
}
