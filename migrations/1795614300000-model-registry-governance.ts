import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the model registry needs beyond the initial tables: who registered and approved (as recorded actors, since
 * the CLI acts for operators who may have no principal row), approval records, LoRA adapters pinned by their own
 * sha256, alias revisions for one-action rollback, and triggers that keep an approved version's defining fields
 * immutable (a change is a new version) and its lifecycle in order, whatever client writes to the table.
 * Custom SQLSTATEs: AT001 immutable, AT002 lifecycle step not allowed, AT003 version still routed by an alias,
 * AT004 append-only history.
 */
export class ModelRegistryGovernance1795614300000 implements MigrationInterface {
  name = 'ModelRegistryGovernance1795614300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE model_version
        ADD COLUMN registered_by_actor text NOT NULL DEFAULT 'system',
        ADD COLUMN approved_by_actor text,
        ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN status_changed_by_actor text,
        ADD CONSTRAINT model_version_four_eyes CHECK (approved_by_actor IS NULL OR approved_by_actor <> registered_by_actor),
        ADD CONSTRAINT model_version_approved_before_serving
          CHECK (status NOT IN ('approved', 'active', 'deprecated') OR approved_by_actor IS NOT NULL),
        ADD CONSTRAINT model_version_local_has_sha256 CHECK (source_kind <> 'local_gguf' OR file_sha256 IS NOT NULL)`);
    await queryRunner.query(`CREATE INDEX model_version_model_status_idx ON model_version (model_id, status)`);

    await queryRunner.query(`
      CREATE TABLE model_version_approval (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_version_id uuid NOT NULL REFERENCES model_version(id),
        decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
        actor text NOT NULL,
        principal_id uuid REFERENCES principal(id),
        roles text[] NOT NULL DEFAULT '{}',
        comment text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX model_version_approval_version_idx ON model_version_approval (model_version_id)`);

    await queryRunner.query(`
      CREATE TABLE model_lora_adapter (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
        path text NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size >= 0),
        scale real NOT NULL DEFAULT 1.0,
        gguf_metadata jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_version_id, name)
      )`);

    await queryRunner.query(`
      ALTER TABLE model_alias
        ADD COLUMN revision integer NOT NULL DEFAULT 0,
        ADD COLUMN updated_by_actor text,
        ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`
      CREATE TABLE model_alias_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alias_id uuid NOT NULL REFERENCES model_alias(id),
        revision integer NOT NULL CHECK (revision > 0),
        targets jsonb NOT NULL,
        actor text NOT NULL,
        principal_id uuid REFERENCES principal(id),
        reason text NOT NULL DEFAULT '',
        restored_revision integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (alias_id, revision)
      )`);

    await queryRunner.query(`
      CREATE FUNCTION model_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'model_version % is %: only a draft may be deleted', OLD.id, OLD.status USING ERRCODE = 'AT001';
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' AND (NEW.model_id, NEW.version, NEW.source_kind, NEW.source, NEW.file_sha256, NEW.file_size,
            NEW.gguf_metadata, NEW.licence, NEW.deployment, NEW.audience, NEW.domain, NEW.data_classification,
            NEW.sampling_limits, NEW.card, NEW.registered_by, NEW.registered_by_actor, NEW.created_at)
          IS DISTINCT FROM (OLD.model_id, OLD.version, OLD.source_kind, OLD.source, OLD.file_sha256, OLD.file_size,
            OLD.gguf_metadata, OLD.licence, OLD.deployment, OLD.audience, OLD.domain, OLD.data_classification,
            OLD.sampling_limits, OLD.card, OLD.registered_by, OLD.registered_by_actor, OLD.created_at) THEN
          RAISE EXCEPTION 'model_version % is %: its defining fields are immutable; register a new version', OLD.id, OLD.status
            USING ERRCODE = 'AT001';
        END IF;
        IF OLD.approved_by_actor IS NOT NULL AND (NEW.approved_by, NEW.approved_by_actor, NEW.approved_at)
            IS DISTINCT FROM (OLD.approved_by, OLD.approved_by_actor, OLD.approved_at) THEN
          RAISE EXCEPTION 'model_version % was approved by %: the approval cannot change', OLD.id, OLD.approved_by_actor
            USING ERRCODE = 'AT001';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
          IF (OLD.status, NEW.status) NOT IN (('draft', 'approved'), ('draft', 'retired'), ('approved', 'active'),
              ('approved', 'retired'), ('active', 'deprecated'), ('active', 'retired'), ('deprecated', 'active'),
              ('deprecated', 'retired')) THEN
            RAISE EXCEPTION 'model_version % cannot go from % to %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'AT002';
          END IF;
          IF NEW.status = 'retired' AND EXISTS (
              SELECT 1 FROM model_alias WHERE targets @> jsonb_build_array(jsonb_build_object('versionId', OLD.id::text))) THEN
            RAISE EXCEPTION 'model_version % is still a target of an alias', OLD.id USING ERRCODE = 'AT003';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER model_version_guard BEFORE UPDATE OR DELETE ON model_version
        FOR EACH ROW EXECUTE FUNCTION model_version_guard()`);

    // Adapters are part of what was approved: they change only while their version is a draft.
    await queryRunner.query(`
      CREATE FUNCTION model_lora_adapter_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        parent_status text;
      BEGIN
        SELECT status INTO parent_status FROM model_version
          WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.model_version_id ELSE NEW.model_version_id END;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
          RAISE EXCEPTION 'the adapters of a % model version are immutable; register a new version', parent_status
            USING ERRCODE = 'AT001';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER model_lora_adapter_guard BEFORE INSERT OR UPDATE OR DELETE ON model_lora_adapter
        FOR EACH ROW EXECUTE FUNCTION model_lora_adapter_guard()`);

    await queryRunner.query(`
      CREATE FUNCTION registry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'AT004';
      END $$`);
    for (const table of ['model_version_approval', 'model_alias_history']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION registry_append_only()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION registry_append_only()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE model_alias_history`);
    await queryRunner.query(`DROP TABLE model_lora_adapter`);
    await queryRunner.query(`DROP TABLE model_version_approval`);
    await queryRunner.query(`DROP FUNCTION registry_append_only()`);
    await queryRunner.query(`DROP FUNCTION model_lora_adapter_guard()`);
    await queryRunner.query(`DROP TRIGGER model_version_guard ON model_version`);
    await queryRunner.query(`DROP FUNCTION model_version_guard()`);
    await queryRunner.query(`ALTER TABLE model_alias DROP COLUMN revision, DROP COLUMN updated_by_actor, DROP COLUMN created_at`);
    await queryRunner.query(`DROP INDEX model_version_model_status_idx`);
    await queryRunner.query(`
      ALTER TABLE model_version
        DROP CONSTRAINT model_version_local_has_sha256,
        DROP CONSTRAINT model_version_approved_before_serving,
        DROP CONSTRAINT model_version_four_eyes,
        DROP COLUMN status_changed_by_actor,
        DROP COLUMN status_changed_at,
        DROP COLUMN approved_by_actor,
        DROP COLUMN registered_by_actor`);
  }
}
