import type { MigrationInterface, QueryRunner } from 'typeorm';

const EVENT_INDEXES = [
  ['audit_event_id_idx', '(id)'],
  ['audit_event_ts_idx', '(ts)'],
  ['audit_event_tenant_ts_idx', '(tenant, ts)'],
  ['audit_event_request_idx', '(request_id) WHERE request_id IS NOT NULL'],
  ['audit_event_tenant_seq_idx', '(tenant, seq)'],
  ['audit_event_tenant_actor_seq_idx', '(tenant, actor_id, seq)'],
] as const;

const LEGACY_CONSTRAINTS = ['pkey', 'id_key', 'seq_check', 'leaf_hash_check', 'prev_hash_check'];

/**
 * Retention for the audit log (issues #4 and #14): events are partitioned by month of their server timestamp, so
 * retention drops whole old months, never single rows, and only through `audit_drop_partition`, which demands a
 * committed, checkpointed `audit.retention_applied` event carrying the Merkle frontier of what it drops (so the rest
 * still verifies against old checkpoints) and refuses while a legal hold covers the month.
 *
 * - Timestamps never go backwards along the sequence (the append trigger checks it against the head), so every month
 *   is one contiguous sequence range and dropping the oldest month removes a prefix of the log.
 * - An existing log becomes the partition `audit_event_legacy` (all months up to the end of the current one); an
 *   empty one is replaced by monthly partitions. A default partition catches a month nobody created in time: an insert
 *   never fails for want of a partition, and its rows are kept until an operator splits them out.
 * - Legal holds and their releases, and the record of each drop, are append-only like the events.
 * - Where the migrating role may create event triggers (a superuser), DROP TABLE of any audit table is refused
 *   unless `audit_drop_partition` is doing it.
 */
export class AuditPartitionsRetention1795640000000 implements MigrationInterface {
  name = 'AuditPartitionsRetention1795640000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`ALTER TABLE audit_log ADD COLUMN head_ts timestamptz, ADD COLUMN retained_from bigint NOT NULL DEFAULT 0 CHECK (retained_from >= 0)`);
    await q(`UPDATE audit_log SET head_ts = (SELECT max(ts) FROM audit_event) WHERE id = 1`);

    await q(`ALTER TABLE audit_event RENAME TO audit_event_legacy`);
    for (const trigger of ['audit_event_append', 'audit_event_append_only', 'audit_event_no_truncate']) await q(`DROP TRIGGER ${trigger} ON audit_event_legacy`);
    for (const suffix of LEGACY_CONSTRAINTS) await q(`ALTER TABLE audit_event_legacy RENAME CONSTRAINT audit_event_${suffix} TO audit_event_legacy_${suffix}`);
    // The partitioned parent's keys must include the partition key: (seq, ts) replaces seq and id uniqueness, which the
    // append trigger (dense seq) and UUIDv7 keep anyway.
    await q(`ALTER TABLE audit_event_legacy DROP CONSTRAINT audit_event_legacy_pkey, DROP CONSTRAINT audit_event_legacy_id_key`);
    for (const [index] of EVENT_INDEXES) await q(`ALTER INDEX IF EXISTS ${index} RENAME TO ${index.replace('audit_event_', 'audit_event_legacy_')}`);

    await q(`
      CREATE TABLE audit_event (
        seq bigint NOT NULL CHECK (seq >= 0),
        id uuid NOT NULL,
        ts timestamptz NOT NULL,
        epoch bigint NOT NULL,
        tenant text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        actor_id text NOT NULL,
        request_id text,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        canonical bytea NOT NULL,
        PRIMARY KEY (seq, ts)
      ) PARTITION BY RANGE (ts)`);
    for (const [index, columns] of EVENT_INDEXES) await q(`CREATE INDEX ${index} ON audit_event ${columns}`);

    for (const statement of auditRetentionFunctions) await q(statement);
    await q(`CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`);
    await q(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`);
    await q(`CREATE TRIGGER audit_event_append AFTER INSERT ON audit_event REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append()`);

    const legacyRows = (await q(`SELECT count(*)::int AS n FROM audit_event_legacy`)) as { n: number }[];
    if ((legacyRows[0]?.n ?? 0) === 0) {
      await q(`DROP TABLE audit_event_legacy`);
    } else {
      await q(`
        DO $$ DECLARE upper_bound timestamptz; BEGIN
          SELECT (date_trunc('month', greatest(now(), max(ts)) AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' INTO upper_bound FROM audit_event_legacy;
          EXECUTE format('ALTER TABLE audit_event ATTACH PARTITION audit_event_legacy FOR VALUES FROM (MINVALUE) TO (%L)', upper_bound);
        END $$`);
      await q(`SELECT audit_guard_partition('audit_event_legacy')`);
    }
    await q(`CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT`);
    await q(`SELECT audit_guard_partition('audit_event_default')`);
    await q(`SELECT audit_ensure_partitions(now(), now() + interval '3 months')`);

    await q(`
      CREATE TABLE audit_legal_hold (
        id uuid PRIMARY KEY,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        covers_from timestamptz,
        covers_to timestamptz,
        set_by text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        CHECK (covers_from IS NULL OR covers_to IS NULL OR covers_from < covers_to)
      )`);
    await q(`
      CREATE TABLE audit_legal_hold_release (
        hold_id uuid PRIMARY KEY REFERENCES audit_legal_hold(id),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        released_by text NOT NULL,
        released_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q(`
      CREATE TABLE audit_retention (
        retained_from bigint PRIMARY KEY CHECK (retained_from > 0),
        retention_seq bigint NOT NULL,
        partition_name text NOT NULL,
        covers_to timestamptz NOT NULL,
        dropped_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const table of ['audit_legal_hold', 'audit_legal_hold_release', 'audit_retention']) {
      await q(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`);
      await q(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`);
      await q(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q(`GRANT SELECT ON ${table} TO attest_audit_writer, attest_auditor`);
    }
    await q(`GRANT INSERT ON audit_legal_hold, audit_legal_hold_release TO attest_audit_writer`);
    await q(`REVOKE ALL ON audit_event FROM PUBLIC`);
    await q(`GRANT SELECT, INSERT ON audit_event TO attest_audit_writer`);
    await q(`GRANT SELECT ON audit_event TO attest_auditor`);
    await q(`REVOKE ALL ON FUNCTION audit_ensure_partitions(timestamptz, timestamptz), audit_drop_partition(text, bigint), audit_guard_partition(text) FROM PUBLIC`);
    await q(`GRANT EXECUTE ON FUNCTION audit_ensure_partitions(timestamptz, timestamptz), audit_drop_partition(text, bigint) TO attest_audit_writer`);
    await q(dropGuard);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP EVENT TRIGGER IF EXISTS audit_guard_drop`);
    await q(`DROP FUNCTION IF EXISTS audit_guard_drop()`);
    await q(`DROP TABLE audit_retention, audit_legal_hold_release, audit_legal_hold`);
    await q(`
      CREATE TABLE audit_event_flat (
        seq bigint PRIMARY KEY CHECK (seq >= 0), id uuid NOT NULL UNIQUE, ts timestamptz NOT NULL, epoch bigint NOT NULL,
        tenant text NOT NULL, action text NOT NULL, outcome text NOT NULL, actor_id text NOT NULL, request_id text,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32), prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        canonical bytea NOT NULL)`);
    await q(`INSERT INTO audit_event_flat SELECT * FROM audit_event ORDER BY seq`);
    await q(`DROP TABLE audit_event CASCADE`);
    await q(`DROP FUNCTION audit_ensure_partitions(timestamptz, timestamptz), audit_drop_partition(text, bigint), audit_guard_partition(text)`);
    await q(`ALTER TABLE audit_event_flat RENAME TO audit_event`);
    for (const suffix of LEGACY_CONSTRAINTS) await q(`ALTER TABLE audit_event RENAME CONSTRAINT audit_event_flat_${suffix} TO audit_event_${suffix}`);
    for (const [index, columns] of EVENT_INDEXES.slice(1)) await q(`CREATE INDEX ${index} ON audit_event ${columns}`);
    await q(`CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`);
    await q(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`);
    await q(`CREATE TRIGGER audit_event_append AFTER INSERT ON audit_event REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append()`);
    await q(`REVOKE ALL ON audit_event FROM PUBLIC`);
    await q(`GRANT SELECT, INSERT ON audit_event TO attest_audit_writer`);
    await q(`GRANT SELECT ON audit_event TO attest_auditor`);
    await q(ORIGINAL_APPEND_FUNCTION);
    await q(`ALTER TABLE audit_log DROP COLUMN head_ts, DROP COLUMN retained_from`);
  }
}

/** The append trigger of AuditLog1795614000000 plus one rule: timestamps never go backwards along the sequence. */
const APPEND_FUNCTION = `
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

/** Restored by `down`: the append trigger exactly as AuditLog1795614000000 created it. */
const ORIGINAL_APPEND_FUNCTION = `
  CREATE OR REPLACE FUNCTION audit_event_append() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DECLARE
    head record;
    added bigint;
    bad record;
    last_hash bytea;
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
    SELECT n.leaf_hash INTO last_hash FROM new_events n ORDER BY n.seq DESC LIMIT 1;
    UPDATE public.audit_log SET size = size + added, head_hash = last_hash, updated_at = now() WHERE id = 1;
    RETURN NULL;
  END $$`;

/**
 * A partition inserted into by name would skip the parent's statement trigger, and TRUNCATE of a partition skips the
 * parent's: every partition gets both. (Row triggers are cloned from the parent by PostgreSQL itself.)
 */
const GUARD_PARTITION_FUNCTION = `
  CREATE FUNCTION audit_guard_partition(p_partition text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
  BEGIN
    EXECUTE format('CREATE TRIGGER audit_event_append AFTER INSERT ON public.%I REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append()', p_partition);
    EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON public.%I FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()', p_partition);
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', p_partition);
    -- Reading a partition by name (retention's bounds and counts) shows nothing the parent does not.
    EXECUTE format('GRANT SELECT ON public.%I TO attest_audit_writer, attest_auditor', p_partition);
  END $$`;

/** Monthly partitions (UTC) covering [p_from, p_to), named audit_event_yYYYYmMM; returns the ones it created. */
const ENSURE_PARTITIONS_FUNCTION = `
  CREATE FUNCTION audit_ensure_partitions(p_from timestamptz, p_to timestamptz) RETURNS SETOF text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET TimeZone = 'UTC' AS $$
  DECLARE
    month_start timestamp := date_trunc('month', p_from AT TIME ZONE 'UTC');
    partition_name text;
  BEGIN
    WHILE (month_start AT TIME ZONE 'UTC') < p_to LOOP
      partition_name := 'audit_event_y' || to_char(month_start, 'YYYY"m"MM');
      IF to_regclass('public.' || partition_name) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_event FOR VALUES FROM (%L) TO (%L)',
            partition_name, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
          PERFORM audit_guard_partition(partition_name);
          RETURN NEXT partition_name;
        EXCEPTION WHEN invalid_object_definition OR check_violation THEN
          -- Covered by the legacy partition, or rows of that month already sit in the default partition.
          RAISE NOTICE 'audit partition % not created: %', partition_name, SQLERRM;
        END;
      END IF;
      month_start := month_start + interval '1 month';
    END LOOP;
  END $$`;

/**
 * The one way events leave the log. A partition with events is dropped only when it is the oldest part of the log,
 * its events are a prefix of the sequence, the committed event \`p_retention_seq\` (audit.retention_applied) names
 * exactly this drop and is covered by a signed checkpoint, the retention period it declares has passed, and no legal
 * hold in force covers the month. An empty partition past its month holds no evidence and is dropped without one.
 */
const DROP_PARTITION_FUNCTION = `
  CREATE FUNCTION audit_drop_partition(p_partition text, p_retention_seq bigint) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET TimeZone = 'UTC' AS $$
  DECLARE
    head record;
    bound text;
    lower_ts timestamptz;
    upper_ts timestamptz;
    first_seq bigint;
    end_seq bigint;
    in_partition bigint;
    below bigint;
    retention jsonb;
    details jsonb;
  BEGIN
    SELECT * INTO head FROM public.audit_log WHERE id = 1 FOR UPDATE;
    SELECT pg_get_expr(c.relpartbound, c.oid) INTO bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'public.audit_event'::regclass AND c.relname = p_partition;
    IF bound IS NULL THEN
      RAISE EXCEPTION 'audit retention: % is not a partition of audit_event', p_partition USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF bound = 'DEFAULT' THEN
      RAISE EXCEPTION 'audit retention: the default partition is never dropped' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    upper_ts := substring(bound from $re$TO \\('([^']+)'\\)$re$)::timestamptz;
    lower_ts := substring(bound from $re$FROM \\('([^']+)'\\)$re$)::timestamptz;
    EXECUTE format('SELECT min(seq), max(seq) + 1, count(*) FROM public.%I', p_partition) INTO first_seq, end_seq, in_partition;
    IF in_partition = 0 THEN
      IF upper_ts > now() THEN
        RAISE EXCEPTION 'audit retention: % is not over yet', p_partition USING ERRCODE = 'object_in_use';
      END IF;
    ELSE
      IF first_seq <> head.retained_from THEN
        RAISE EXCEPTION 'audit retention: % does not start the retained log (its first event is %, the log is retained from %)', p_partition, first_seq, head.retained_from USING ERRCODE = 'object_in_use';
      END IF;
      SELECT count(*) INTO below FROM public.audit_event WHERE seq < end_seq;
      IF below <> in_partition THEN
        RAISE EXCEPTION 'audit retention: events before % lie outside %: not a prefix of the log', end_seq, p_partition USING ERRCODE = 'object_in_use';
      END IF;
      SELECT convert_from(canonical, 'UTF8')::jsonb INTO retention FROM public.audit_event WHERE seq = p_retention_seq;
      details := retention->'details';
      IF retention IS NULL OR retention->>'action' IS DISTINCT FROM 'audit.retention_applied'
         OR details->>'partition' IS DISTINCT FROM p_partition
         OR (details->>'retainedFrom')::bigint IS DISTINCT FROM end_seq
         OR (details->>'previousRetainedFrom')::bigint IS DISTINCT FROM head.retained_from
         OR (details->>'coversTo')::timestamptz IS DISTINCT FROM upper_ts THEN
        RAISE EXCEPTION 'audit retention: event % does not record the drop of % (events % to %)', p_retention_seq, p_partition, first_seq, end_seq - 1 USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM public.audit_checkpoint WHERE tree_size > p_retention_seq) THEN
        RAISE EXCEPTION 'audit retention: event % is not covered by a signed checkpoint yet', p_retention_seq USING ERRCODE = 'object_in_use';
      END IF;
      IF upper_ts + make_interval(months => (details->>'retentionMonths')::int) > now() THEN
        RAISE EXCEPTION 'audit retention: the retention period of % is not over', p_partition USING ERRCODE = 'object_in_use';
      END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM public.audit_legal_hold h
               WHERE NOT EXISTS (SELECT 1 FROM public.audit_legal_hold_release r WHERE r.hold_id = h.id)
                 AND (h.covers_from IS NULL OR h.covers_from < upper_ts)
                 AND (h.covers_to IS NULL OR lower_ts IS NULL OR h.covers_to > lower_ts)) THEN
      RAISE EXCEPTION 'audit retention: % is under legal hold', p_partition USING ERRCODE = 'object_in_use';
    END IF;
    PERFORM set_config('attest.audit_retention_drop', p_partition, true);
    EXECUTE format('DROP TABLE public.%I', p_partition);
    PERFORM set_config('attest.audit_retention_drop', '', true);
    IF in_partition > 0 THEN
      UPDATE public.audit_log SET retained_from = end_seq, updated_at = now() WHERE id = 1;
      INSERT INTO public.audit_retention (retained_from, retention_seq, partition_name, covers_to) VALUES (end_seq, p_retention_seq, p_partition, upper_ts);
    END IF;
    RETURN coalesce(end_seq, head.retained_from);
  END $$`;

const auditRetentionFunctions = [APPEND_FUNCTION, GUARD_PARTITION_FUNCTION, ENSURE_PARTITIONS_FUNCTION, DROP_PARTITION_FUNCTION];

/** DROP TABLE of an audit table is refused unless audit_drop_partition is doing it (event triggers need a superuser). */
const dropGuard = `
  DO $outer$ BEGIN
    CREATE FUNCTION audit_guard_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
    DECLARE dropped record;
    BEGIN
      FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects()
                     WHERE object_type = 'table' AND schema_name = 'public' AND object_name LIKE 'audit\\_%' LOOP
        IF dropped.object_name IS DISTINCT FROM nullif(current_setting('attest.audit_retention_drop', true), '') THEN
          RAISE EXCEPTION 'audit table % may only be dropped by audit retention (audit_drop_partition)', dropped.object_name
            USING ERRCODE = 'insufficient_privilege';
        END IF;
      END LOOP;
    END $$;
    CREATE EVENT TRIGGER audit_guard_drop ON sql_drop EXECUTE FUNCTION audit_guard_drop();
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'DROP TABLE of audit tables is not guarded: creating an event trigger needs a superuser';
  END $outer$`;
