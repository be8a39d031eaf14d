import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding (GDPR Art. 17): one AES-256 key per data subject and tenant, stored wrapped by the content
 * key-encryption key. Erasure clears `wrapped_key` (and stamps `erased_at`); the sealed content in the audit log then
 * cannot be read by anyone, while every hash still verifies. Subjects are named by a keyed hash, never in clear.
 */
export class DataSubjectKeys1795630200000 implements MigrationInterface {
  name = 'DataSubjectKeys1795630200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE data_subject_key (
        key_id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenant(id),
        subject_ref text NOT NULL CHECK (subject_ref ~ '^[0-9a-f]{64}$'),
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      )`);
    // One live key per subject; erased keys stay as tombstones (when, and that it happened).
    await queryRunner.query(`CREATE UNIQUE INDEX data_subject_key_live_idx ON data_subject_key (tenant_id, subject_ref) WHERE erased_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE data_subject_key`);
  }
}
