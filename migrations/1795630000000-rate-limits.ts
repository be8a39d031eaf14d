import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fixed-window counters for the endpoints an attacker hammers (sign-in, API key administration), kept in PostgreSQL
 * so that every replica enforces one shared limit. UNLOGGED: counters are not evidence; a crash may reset them.
 */
export class RateLimits1795630000000 implements MigrationInterface {
  name = 'RateLimits1795630000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE rate_limit_counter (
        bucket text NOT NULL,
        subject text NOT NULL,
        window_start timestamptz NOT NULL,
        used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (bucket, subject, window_start)
      )`);
    await queryRunner.query(`CREATE INDEX rate_limit_counter_window_idx ON rate_limit_counter (window_start)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rate_limit_counter`);
  }
}
