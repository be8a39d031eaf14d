import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables every later capability starts from: tenants, principals, API keys, the model registry and policy
 * bundles. The audit log arrives in its own migration, with its triggers and roles.
 */
export class InitialSchema1795613500000 implements MigrationInterface {
  name = 'InitialSchema1795613500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenant (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL,
        time_zone text NOT NULL DEFAULT 'UTC',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO tenant (id, name) VALUES ('default', 'Default tenant')`);

    await queryRunner.query(`
      CREATE TABLE principal (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        kind text NOT NULL CHECK (kind IN ('user', 'service')),
        subject text NOT NULL,
        display_name text NOT NULL,
        email text,
        roles text[] NOT NULL DEFAULT '{}',
        groups text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        UNIQUE (tenant_id, kind, subject)
      )`);

    // Only a hash of the secret is stored; `prefix` is the public lookup part shown in listings.
    await queryRunner.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        principal_id uuid NOT NULL REFERENCES principal(id),
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        model_scopes text[],
        action_scopes text[],
        created_by uuid REFERENCES principal(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        rotated_from uuid REFERENCES api_key(id)
      )`);
    await queryRunner.query(`CREATE INDEX api_key_principal_idx ON api_key (principal_id)`);

    await queryRunner.query(`
      CREATE TABLE model (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);

    await queryRunner.query(`
      CREATE TABLE model_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES model(id),
        version integer NOT NULL CHECK (version > 0),
        status text NOT NULL DEFAULT 'draft'
          CHECK (status IN ('draft', 'approved', 'active', 'deprecated', 'retired')),
        source_kind text NOT NULL CHECK (source_kind IN ('local_gguf', 'remote_openai')),
        source jsonb NOT NULL,
        file_sha256 text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
        file_size bigint,
        gguf_metadata jsonb,
        licence text,
        deployment text NOT NULL DEFAULT 'on_prem' CHECK (deployment IN ('on_prem', 'remote')),
        audience text NOT NULL DEFAULT 'internal',
        domain text NOT NULL DEFAULT 'general',
        data_classification text NOT NULL DEFAULT 'internal',
        sampling_limits jsonb NOT NULL DEFAULT '{}',
        card text NOT NULL DEFAULT '',
        registered_by uuid REFERENCES principal(id),
        approved_by uuid REFERENCES principal(id),
        approved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_id, version)
      )`);

    await queryRunner.query(`
      CREATE TABLE model_alias (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
        targets jsonb NOT NULL DEFAULT '[]',
        updated_by uuid REFERENCES principal(id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);

    await queryRunner.query(`
      CREATE TABLE policy_bundle (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        files jsonb NOT NULL,
        created_by uuid REFERENCES principal(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz,
        activated_by uuid REFERENCES principal(id),
        UNIQUE (tenant_id, sha256)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['policy_bundle', 'model_alias', 'model_version', 'model', 'api_key', 'principal', 'tenant']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
