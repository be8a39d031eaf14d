import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity beyond the initial tables: who revoked a key and why, portal sessions bound to the IdP session, and
 * pending portal logins (state, nonce, PKCE verifier) kept server-side so the browser holds only an opaque cookie.
 */
export class Identity1795614100000 implements MigrationInterface {
  name = 'Identity1795614100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_key
        ADD COLUMN revoked_by uuid REFERENCES principal(id),
        ADD COLUMN revoke_reason text,
        ADD CONSTRAINT api_key_prefix_format CHECK (prefix ~ '^[0-9A-Za-z]{12}$'),
        ADD CONSTRAINT api_key_secret_hash_format CHECK (secret_hash ~ '^sha256:[0-9a-f]{64}$')`);
    await queryRunner.query(`CREATE INDEX api_key_tenant_idx ON api_key (tenant_id, created_at)`);

    // Only a hash of the session token is stored; a database read does not hand out live sessions.
    await queryRunner.query(`
      CREATE TABLE auth_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash text NOT NULL UNIQUE,
        tenant_id text NOT NULL REFERENCES tenant(id),
        principal_id uuid NOT NULL REFERENCES principal(id),
        issuer text NOT NULL,
        idp_session_id text,
        id_token text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_seen_at timestamptz,
        ended_at timestamptz,
        end_reason text
      )`);
    await queryRunner.query(`CREATE INDEX auth_session_principal_idx ON auth_session (principal_id) WHERE ended_at IS NULL`);
    await queryRunner.query(`CREATE INDEX auth_session_idp_sid_idx ON auth_session (issuer, idp_session_id) WHERE ended_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE auth_login_attempt (
        state_hash text PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        return_to text NOT NULL DEFAULT '/',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_login_attempt`);
    await queryRunner.query(`DROP TABLE auth_session`);
    await queryRunner.query(`DROP INDEX api_key_tenant_idx`);
    await queryRunner.query(`
      ALTER TABLE api_key
        DROP CONSTRAINT api_key_secret_hash_format,
        DROP CONSTRAINT api_key_prefix_format,
        DROP COLUMN revoke_reason,
        DROP COLUMN revoked_by`);
  }
}
