import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An auditor's saved searches of the audit console: a name and the filter as the console takes it, one set per person.
 * Not evidence (saving and deleting are recorded in the audit log instead), so an ordinary table.
 */
export class SavedSearches1795640200000 implements MigrationInterface {
  name = 'SavedSearches1795640200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE saved_search (
        owner_id uuid NOT NULL REFERENCES principal(id),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
        tenant_id text NOT NULL REFERENCES tenant(id),
        filter jsonb NOT NULL CHECK (jsonb_typeof(filter) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (owner_id, name)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE saved_search`);
  }
}
