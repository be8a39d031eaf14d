import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy bundles: the detached Ed25519 signature travels with the stored bundle (so every replica can verify it
 * before activating), and the active bundle of a tenant is found by the latest activation. Quota counters live in
 * PostgreSQL so every replica enforces the same limits: one row per tenant, scope, subject, metric and window.
 */
export class PolicyBundles1795614200000 implements MigrationInterface {
  name = 'PolicyBundles1795614200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE policy_bundle ADD COLUMN signature text`);
    await queryRunner.query(
      `CREATE INDEX policy_bundle_active_idx ON policy_bundle (tenant_id, activated_at DESC) WHERE activated_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE quota_counter (
        tenant_id text NOT NULL REFERENCES tenant(id),
        scope text NOT NULL CHECK (scope IN ('key', 'team', 'tenant')),
        subject text NOT NULL,
        metric text NOT NULL CHECK (metric IN ('requests_per_minute', 'tokens_per_day')),
        window_start timestamptz NOT NULL,
        used bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (tenant_id, scope, subject, metric, window_start)
      )`);
    await queryRunner.query(`CREATE INDEX quota_counter_window_idx ON quota_counter (window_start)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE quota_counter`);
    await queryRunner.query(`DROP INDEX policy_bundle_active_idx`);
    await queryRunner.query(`ALTER TABLE policy_bundle DROP COLUMN signature`);
  }
}
