import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pipelined group commit (issue #4): a writer may send its next batch, sealed against the head its previous batch will
 * leave, before that one has committed, so that PostgreSQL inserts and indexes the second while the first waits for
 * its WAL flush. The head's row lock still decides the order; but the second batch's trigger could reach that lock
 * first, find a gap after the head and refuse a batch that was only early.
 *
 * So each pipelined batch holds a transaction advisory lock named after the sequence number where it ends (the
 * writer takes it as its transaction's first statement), and the append trigger of a batch that starts beyond the
 * committed head first waits for the transaction holding the lock named after its own start: the batch before it.
 * That wait happens before the head's row lock is taken, so it cannot deadlock with a writer holding the head (a
 * batch waits only on a lock named after a smaller sequence number than the one it holds). When the batch before it
 * rolls back, the early batch is refused as stale, as before. A batch of a writer that takes no such lock, or one
 * that starts at or behind the head, runs exactly as before.
 *
 * The same function checks links, positions, hashes and timestamps in one pass over the batch instead of two, with
 * the same refusals (the link refusal wins where one event breaks both rules).
 */
export class AuditAppendInOrder1795640600000 implements MigrationInterface {
  name = 'AuditAppendInOrder1795640600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(IN_ORDER_APPEND_FUNCTION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(PREVIOUS_APPEND_FUNCTION);
  }
}

/** The advisory lock class of pipelined audit batches ('ATST'); the object id is the sequence number modulo 2^31. */
export const AUDIT_BATCH_LOCK_CLASS = 1096045396;

const IN_ORDER_APPEND_FUNCTION = `
  CREATE OR REPLACE FUNCTION audit_event_append() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DECLARE
    head record;
    added bigint;
    first_seq bigint;
    bad record;
    last_event record;
  BEGIN
    SELECT count(*), min(n.seq) INTO added, first_seq FROM new_events n;
    IF added = 0 THEN RETURN NULL; END IF;
    IF first_seq > (SELECT l.size FROM public.audit_log l WHERE l.id = 1) THEN
      PERFORM pg_advisory_xact_lock_shared(${AUDIT_BATCH_LOCK_CLASS}, (first_seq % 2147483648)::integer);
    END IF;
    SELECT * INTO head FROM public.audit_log WHERE id = 1 FOR UPDATE;
    SELECT e.seq,
           (e.seq <> head.size + e.k OR e.prev_hash <> coalesce(e.prior, head.head_hash) OR e.epoch <> head.epoch
             OR e.leaf_hash <> sha256('\\x00'::bytea || e.canonical)) AS unlinked
      INTO bad
      FROM (
        SELECT n.seq, n.epoch, n.leaf_hash, n.prev_hash, n.canonical, n.ts,
               row_number() OVER w - 1 AS k, lag(n.leaf_hash) OVER w AS prior, lag(n.ts) OVER w AS prior_ts
        FROM new_events n WINDOW w AS (ORDER BY n.seq)) e
     WHERE e.seq <> head.size + e.k
        OR e.prev_hash <> coalesce(e.prior, head.head_hash)
        OR e.epoch <> head.epoch
        OR e.leaf_hash <> sha256('\\x00'::bytea || e.canonical)
        OR e.ts < coalesce(e.prior_ts, head.head_ts, '-infinity'::timestamptz)
     ORDER BY e.seq LIMIT 1;
    IF FOUND AND bad.unlinked THEN
      RAISE EXCEPTION 'audit append refused at sequence %: not the next dense, linked leaf of epoch % after size %', bad.seq, head.epoch, head.size
        USING ERRCODE = 'serialization_failure';
    END IF;
    IF FOUND THEN
      RAISE EXCEPTION 'audit append refused at sequence %: its timestamp is earlier than the event before it', bad.seq
        USING ERRCODE = 'serialization_failure';
    END IF;
    SELECT n.leaf_hash, n.ts INTO last_event FROM new_events n ORDER BY n.seq DESC LIMIT 1;
    UPDATE public.audit_log SET size = size + added, head_hash = last_event.leaf_hash, head_ts = last_event.ts, updated_at = now() WHERE id = 1;
    RETURN NULL;
  END $$`;

/** Restored by `down`: the append trigger as AuditPartitionsRetention1795640000000 left it. */
const PREVIOUS_APPEND_FUNCTION = `
  CREATE OR REPLACE FUNCTION audit_event_append() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DECLARE
    head record;
    added bigint;
    bad record;
    last_event record;
  BEGIN
    SELECT * INTO head FROM public.audit_log WHERE id = 1 FOR UPDATE;
    SELECT count(*) INTO added FROM new_events;
    IF added = 0 THEN RETURN NULL; END IF;
    SELECT e.seq, e.k INTO bad FROM (
      SELECT n.seq, n.epoch, n.leaf_hash, n.prev_hash, n.canonical,
             row_number() OVER (ORDER BY n.seq) - 1 AS k,
             lag(n.leaf_hash) OVER (ORDER BY n.seq) AS prior
      FROM new_events n) e
    WHERE e.seq <> head.size + e.k
       OR e.prev_hash <> coalesce(e.prior, head.head_hash)
       OR e.epoch <> head.epoch
       OR e.leaf_hash <> sha256('\\x00'::bytea || e.canonical)
    ORDER BY e.seq LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'audit append refused at sequence %: not the next dense, linked leaf of epoch % after size %', bad.seq, head.epoch, head.size
        USING ERRCODE = 'serialization_failure';
    END IF;
    SELECT e.seq INTO bad FROM (
      SELECT n.seq, n.ts, lag(n.ts) OVER (ORDER BY n.seq) AS prior_ts FROM new_events n) e
    WHERE e.ts < coalesce(e.prior_ts, head.head_ts, '-infinity'::timestamptz)
    ORDER BY e.seq LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'audit append refused at sequence %: its timestamp is earlier than the event before it', bad.seq
        USING ERRCODE = 'serialization_failure';
    END IF;
    SELECT n.leaf_hash, n.ts INTO last_event FROM new_events n ORDER BY n.seq DESC LIMIT 1;
    UPDATE public.audit_log SET size = size + added, head_hash = last_event.leaf_hash, head_ts = last_event.ts, updated_at = now() WHERE id = 1;
    RETURN NULL;
  END $$`;
