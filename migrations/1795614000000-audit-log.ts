import type { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY_TABLES = ['audit_event', 'audit_checkpoint', 'audit_signing_key'];

/**
 * The tamper-evident audit log (docs/audit-format.md): append-only events, signed checkpoints, public keys, and the
 * single-row head through which one sequencer per database assigns dense sequence numbers.
 *
 * - UPDATE, DELETE and TRUNCATE on the append-only tables are rejected by triggers for every role, owner and superuser
 *   included (only disabling the triggers, a logged superuser act, gets past them; the verifier catches what follows).
 * - The INSERT trigger checks each batch against the head under its row lock: dense sequence numbers, each `prev_hash`
 *   the previous leaf hash, the current fencing epoch, `leaf_hash` = SHA-256(0x00 ‖ canonical) (RFC 6962 leaf hash).
 * - Roles: attest_audit_writer may INSERT and SELECT only; attest_auditor may SELECT only. Roles are cluster-wide, so
 *   they are created when missing and left in place by `down`.
 */
export class AuditLog1795614000000 implements MigrationInterface {
  name = 'AuditLog1795614000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_audit_writer') THEN CREATE ROLE attest_audit_writer NOLOGIN; END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attest_auditor') THEN CREATE ROLE attest_auditor NOLOGIN; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- another database's migration created them first
      END $$`);

    await queryRunner.query(`
      CREATE TABLE audit_log (
        id smallint PRIMARY KEY CHECK (id = 1),
        origin text NOT NULL CHECK (origin ~ '^[^\\s+]+$'),
        size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
        head_hash bytea NOT NULL DEFAULT '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
        epoch bigint NOT NULL DEFAULT 1 CHECK (epoch >= 1),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO audit_log (id, origin) VALUES (1, 'attest.local/audit/' || gen_random_uuid())`);

    await queryRunner.query(`
      CREATE TABLE audit_event (
        seq bigint PRIMARY KEY CHECK (seq >= 0),
        id uuid NOT NULL UNIQUE,
        ts timestamptz NOT NULL,
        epoch bigint NOT NULL,
        tenant text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        actor_id text NOT NULL,
        request_id text,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        canonical bytea NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX audit_event_ts_idx ON audit_event (ts)`);
    await queryRunner.query(`CREATE INDEX audit_event_tenant_ts_idx ON audit_event (tenant, ts)`);
    await queryRunner.query(`CREATE INDEX audit_event_request_idx ON audit_event (request_id) WHERE request_id IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE audit_checkpoint (
        tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        note text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE audit_signing_key (
        verifier_key text PRIMARY KEY,
        key_name text NOT NULL,
        key_id text NOT NULL CHECK (key_id ~ '^[0-9a-f]{8}$'),
        public_key bytea NOT NULL CHECK (length(public_key) = 32),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit tables are append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`);
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`);
    }

    // Locks the head for the rest of the transaction: the sequencer. SECURITY DEFINER so the writer role needs no
    // UPDATE right on audit_log (SELECT ... FOR UPDATE would demand one).
    await queryRunner.query(`
      CREATE FUNCTION audit_lock_head() RETURNS TABLE (origin text, size bigint, head_hash bytea, epoch bigint)
      LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT origin, size, head_hash, epoch FROM public.audit_log WHERE id = 1 FOR UPDATE
      $$`);

    // Fences every batch prepared under an older epoch; for re-establishing the sequencer (e.g. after a restore).
    await queryRunner.query(`
      CREATE FUNCTION audit_advance_epoch() RETURNS bigint
      LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        UPDATE public.audit_log SET epoch = epoch + 1, updated_at = now() WHERE id = 1 RETURNING epoch
      $$`);

    await queryRunner.query(`
      CREATE FUNCTION audit_event_append() RETURNS trigger
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
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append AFTER INSERT ON audit_event
      REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append()`);

    await queryRunner.query(`REVOKE ALL ON audit_log, ${APPEND_ONLY_TABLES.join(', ')} FROM PUBLIC`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION audit_lock_head(), audit_advance_epoch(), audit_event_append() FROM PUBLIC`);
    await queryRunner.query(`GRANT SELECT, INSERT ON ${APPEND_ONLY_TABLES.join(', ')} TO attest_audit_writer`);
    await queryRunner.query(`GRANT SELECT ON audit_log TO attest_audit_writer, attest_auditor`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION audit_lock_head() TO attest_audit_writer`);
    await queryRunner.query(`GRANT SELECT ON ${APPEND_ONLY_TABLES.join(', ')} TO attest_auditor`);
    // The gateway writes through SET LOCAL ROLE attest_audit_writer, so its login role must be a member.
    await queryRunner.query(`
      DO $$ BEGIN
        EXECUTE format('GRANT attest_audit_writer, attest_auditor TO %I', current_user);
      EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'could not grant the audit roles to %: %', current_user, SQLERRM;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_event, audit_checkpoint, audit_signing_key, audit_log`);
    await queryRunner.query(`DROP FUNCTION audit_event_append(), audit_lock_head(), audit_advance_epoch(), audit_reject_change()`);
  }
}
