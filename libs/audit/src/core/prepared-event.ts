import { hash as digest } from 'node:crypto';
import type { AuditEventContent, AuditLeaf, LeafHeader, SealedEvent } from './audit-event';
import { AUDIT_LEAF_VERSION } from './audit-event';
import { CanonicalJsonError, canonicalize } from './canonical-json';
import { toHex } from './hashing';

/**
 * Members every leaf's header sets, in RFC 8785 order (UTF-16 code units, which is how JavaScript compares strings);
 * content members of the same name are overridden, as in `sealEvent`.
 */
const HEADER_KEYS = ['epoch', 'id', 'origin', 'prev', 'seq', 'ts', 'v', 'writer'] as const;
const HEADER_KEY_SET: ReadonlySet<string> = new Set(HEADER_KEYS);
const VERSION_MEMBER = `"v":${canonicalize(AUDIT_LEAF_VERSION)}`;

/** Event content already canonicalised member by member: all of a leaf's bytes that do not depend on its position. */
export interface PreparedEvent {
  content: AuditEventContent;
  /**
   * The content members' `"name":value` text (RFC 8785), comma-joined, in the gaps the header's members leave: gap 0
   * sorts before `epoch`, gap 1 between `epoch` and `id`, …, gap 8 after `writer`. Empty where no member falls.
   */
  gaps: readonly string[];
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
    if (value === undefined || HEADER_KEY_SET.has(name)) continue;
    try {
      members.push([name, `${canonicalize(name)}:${canonicalize(value)}`]);
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error;
      // The same problem and location sealEvent reports, seen from the leaf's root.
      throw new CanonicalJsonError(error.problem, error.message.slice(0, error.message.lastIndexOf(' at ')), `/${name}${error.path}`);
    }
  }
  members.sort(byName);
  const gaps: string[] = [];
  let next = 0;
  for (const key of [...HEADER_KEYS, undefined]) {
    const gap: string[] = [];
    while (next < members.length && (key === undefined || (members[next] as [string, string])[0] < key)) gap.push((members[next++] as [string, string])[1]);
    gaps.push(gap.join(','));
  }
  return { content, gaps };
}

const byName = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The leaf of a prepared event at its position: the same object, bytes and leaf hash as `sealEvent(content, header)`.
 * Only the header is serialised here; the bytes are built once with the leaf-hash prefix in front, so one SHA-256
 * call hashes them without a copy.
 */
export function sealPrepared(prepared: PreparedEvent, header: LeafHeader): SealedEvent {
  const prev = toHex(header.prev);
  const leaf: AuditLeaf = { ...prepared.content, v: AUDIT_LEAF_VERSION, origin: header.origin, seq: header.seq, id: header.id, ts: header.ts, epoch: header.epoch, prev, writer: header.writer };
  const headerMembers = [
    `"epoch":${canonicalize(header.epoch)}`,
    `"id":${canonicalize(header.id)}`,
    `"origin":${canonicalize(header.origin)}`,
    `"prev":"${prev}"`,
    `"seq":${canonicalize(header.seq)}`,
    `"ts":${canonicalize(header.ts)}`,
    VERSION_MEMBER,
    `"writer":${canonicalize(header.writer)}`,
  ];
  const gaps = prepared.gaps;
  let text = '\u0000{';
  for (let index = 0; index < headerMembers.length; index++) {
    const gap = gaps[index] as string;
    text += gap === '' ? `${headerMembers[index] as string},` : `${gap},${headerMembers[index] as string},`;
  }
  const last = gaps[headerMembers.length] as string;
  text = last === '' ? `${text.slice(0, -1)}}` : `${text}${last}}`;
  // SHA-256(0x00 ‖ bytes), RFC 6962's leaf hash, over the one buffer.
  const prefixed = Buffer.from(text, 'utf8');
  return { leaf, bytes: prefixed.subarray(1), hash: digest('sha256', prefixed, 'buffer') };
}
