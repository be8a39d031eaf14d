import type { SealedEvent } from '../core/audit-event';

/**
 * The advisory lock class a pipelined batch holds, named after the sequence number where it ends, until it commits;
 * the append trigger of the batch after it waits for it (migration AuditAppendInOrder1795640600000 uses the same number).
 */
export const AUDIT_BATCH_LOCK_CLASS = 1096045396;

/**
 * One batch of sealed events in one INSERT. Byte columns travel as two binary parameters (node-pg sends a Buffer
 * in binary): the 32-byte hashes back to back, and the canonical bytes back to back with their offsets and lengths;
 * PostgreSQL cuts them apart. No hex, no escaping, half the bytes on the wire; the append trigger re-hashes what
 * arrived, so a wrong cut would be refused, not stored.
 */
export const INSERT_BATCH = `
  INSERT INTO audit_event (seq, id, ts, epoch, tenant, action, outcome, actor_id, request_id, leaf_hash, prev_hash, canonical)
  SELECT r.seq, r.id, r.ts, r.epoch, r.tenant, r.action, r.outcome, r.actor_id, r.request_id,
         substring($10::bytea FROM (r.i - 1)::integer * 32 + 1 FOR 32),
         substring($11::bytea FROM (r.i - 1)::integer * 32 + 1 FOR 32),
         substring($12::bytea FROM r.start + 1 FOR r.len)
  FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
              $13::integer[], $14::integer[]) WITH ORDINALITY AS r(seq, id, ts, epoch, tenant, action, outcome, actor_id, request_id, start, len, i)`;

/** The parameters of {@link INSERT_BATCH}, in order. */
export function insertBatchParameters(events: readonly SealedEvent[]): unknown[] {
  const starts: number[] = [];
  const lengths: number[] = [];
  let offset = 0;
  for (const event of events) {
    starts.push(offset);
    lengths.push(event.bytes.length);
    offset += event.bytes.length;
  }
  return [
    events.map((e) => e.leaf.seq),
    events.map((e) => e.leaf.id),
    events.map((e) => e.leaf.ts),
    events.map((e) => e.leaf.epoch),
    events.map((e) => e.leaf.tenant),
    events.map((e) => e.leaf.action),
    events.map((e) => e.leaf.outcome),
    events.map((e) => e.leaf.actor.principalId),
    events.map((e) => e.leaf.requestId ?? null),
    Buffer.concat(events.map((e) => e.hash)),
    Buffer.concat(events.map((e) => Buffer.from(e.leaf.prev, 'hex'))),
    Buffer.concat(events.map((e) => e.bytes), offset),
    starts,
    lengths,
  ];
}
