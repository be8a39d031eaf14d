import type { AuditEventContent, AuditLeaf, LeafHeader, SealedEvent } from './audit-event';
import { AUDIT_LEAF_VERSION } from './audit-event';
import { CanonicalJsonError, canonicalize } from './canonical-json';
import { leafHash, toHex } from './hashing';

/** Members every leaf's header sets; content members of the same name are overridden, as in `sealEvent`. */
const HEADER_KEYS = new Set(['v', 'origin', 'seq', 'id', 'ts', 'epoch', 'prev', 'writer']);

/** Event content already canonicalised member by member: all of a leaf's bytes that do not depend on its position. */
export interface PreparedEvent {
  content: AuditEventContent;
  /** `[name, RFC 8785 serialisation of the value]` for each content member that is present. */
  members: readonly (readonly [string, string])[];
}

/**
 * Canonicalises an event's content before it is sequenced, so that sealing it under the log head's lock costs only the
 * header (issue #4: writers must not serialise on more work than the sequence needs). Throws CanonicalJsonError for
 * content JCS cannot represent, exactly as `sealEvent` would.
 *
 * @example
 * const prepared = prepareEvent(toEventContent(draft, 'hash'));
 * const sealed = sealPrepared(prepared, header); // same bytes as sealEvent(content, header)
 */
export function prepareEvent(content: AuditEventContent): PreparedEvent {
  const members: [string, string][] = [];
  for (const [name, value] of Object.entries(content)) {
    if (value === undefined || HEADER_KEYS.has(name)) continue;
    try {
      members.push([name, canonicalize(value)]);
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error;
      // The same problem and location sealEvent reports, seen from the leaf's root.
      throw new CanonicalJsonError(error.problem, error.message.slice(0, error.message.lastIndexOf(' at ')), `/${name}${error.path}`);
    }
  }
  return { content, members };
}

const byName = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The leaf of a prepared event at its position: the same object, bytes and leaf hash as `sealEvent(content, header)`
 * (RFC 8785: members sorted by the UTF-16 code units of their names, which is how JavaScript compares strings).
 */
export function sealPrepared(prepared: PreparedEvent, header: LeafHeader): SealedEvent {
  const prev = toHex(header.prev);
  const leaf: AuditLeaf = { ...prepared.content, v: AUDIT_LEAF_VERSION, origin: header.origin, seq: header.seq, id: header.id, ts: header.ts, epoch: header.epoch, prev, writer: header.writer };
  const headerMembers: [string, string][] = [
    ['epoch', canonicalize(header.epoch)],
    ['id', canonicalize(header.id)],
    ['origin', canonicalize(header.origin)],
    ['prev', canonicalize(prev)],
    ['seq', canonicalize(header.seq)],
    ['ts', canonicalize(header.ts)],
    ['v', canonicalize(AUDIT_LEAF_VERSION)],
    ['writer', canonicalize(header.writer)],
  ];
  const members = [...prepared.members, ...headerMembers].sort(byName);
  let text = '{';
  for (let index = 0; index < members.length; index++) {
    const [name, value] = members[index] as readonly [string, string];
    text += `${index === 0 ? '' : ','}${canonicalize(name)}:${value}`;
  }
  const bytes = Buffer.from(`${text}}`, 'utf8');
  return { leaf, bytes, hash: leafHash(bytes) };
}
