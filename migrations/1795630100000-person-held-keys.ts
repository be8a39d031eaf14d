import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bootstrap admin key is held by a person (whoever installed Attest), not a service: the shipped policies keep
 * administration for people (admin.people-only). Databases created before this hold it as a service principal.
 */
export class PersonHeldKeys1795630100000 implements MigrationInterface {
  name = 'PersonHeldKeys1795630100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE principal SET kind = 'user', subject = 'local:bootstrap-admin', updated_at = now()
       WHERE kind = 'service' AND subject = 'api-key:bootstrap-admin'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE principal SET kind = 'service', subject = 'api-key:bootstrap-admin', updated_at = now()
       WHERE kind = 'user' AND subject = 'local:bootstrap-admin'`,
    );
  }
}
