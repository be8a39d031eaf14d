import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keyset pages of one tenant's events, newest first, by actor or not, without scanning other tenants' rows. */
export class AuditSearchIndexes1795620000000 implements MigrationInterface {
  name = 'AuditSearchIndexes1795620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX audit_event_tenant_seq_idx ON audit_event (tenant, seq)`);
    await queryRunner.query(`CREATE INDEX audit_event_tenant_actor_seq_idx ON audit_event (tenant, actor_id, seq)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX audit_event_tenant_actor_seq_idx`);
    await queryRunner.query(`DROP INDEX audit_event_tenant_seq_idx`);
  }
}
