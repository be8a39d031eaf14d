import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `quota_admit`: the quota admit of one request in one statement (one round trip instead of five). It runs, per
 * counter and in the order given, what QuotaService ran in its own transaction before: a request counter moves in one
 * conditional upsert (`used < limit`, so concurrent replicas cannot overshoot), a token budget is read. The first
 * counter that refuses rolls back every counter moved before it (a subtransaction, not an error, so a storm of 429s
 * does not fill the server log) and its 1-based position is returned; 0 means admitted.
 *
 * Counters are rate limits, not evidence: the transaction of the call commits asynchronously (`synchronous_commit`
 * off for that transaction only, as the `SET LOCAL` before did); audit events keep full durability.
 */
export class QuotaAdmit1795640500000 implements MigrationInterface {
  name = 'QuotaAdmit1795640500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION quota_admit(
        p_tenant text, p_scopes text[], p_subjects text[], p_metrics text[], p_window_starts timestamptz[], p_limits bigint[]
      ) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        refused integer := 0;
        used_now bigint;
      BEGIN
        -- Transaction-local, and set outside the block below so that a refusal does not undo it.
        PERFORM set_config('synchronous_commit', 'off', true);
        BEGIN
          FOR i IN 1 .. coalesce(array_length(p_subjects, 1), 0) LOOP
            IF p_metrics[i] = 'requests_per_minute' THEN
              INSERT INTO quota_counter AS counter (tenant_id, scope, subject, metric, window_start, used)
              VALUES (p_tenant, p_scopes[i], p_subjects[i], p_metrics[i], p_window_starts[i], 1)
              ON CONFLICT (tenant_id, scope, subject, metric, window_start)
              DO UPDATE SET used = counter.used + 1 WHERE counter.used < p_limits[i];
              IF NOT FOUND THEN refused := i; END IF;
            ELSE
              SELECT counter.used INTO used_now FROM quota_counter AS counter
              WHERE counter.tenant_id = p_tenant AND counter.scope = p_scopes[i] AND counter.subject = p_subjects[i]
                AND counter.metric = p_metrics[i] AND counter.window_start = p_window_starts[i];
              IF coalesce(used_now, 0) >= p_limits[i] THEN refused := i; END IF;
            END IF;
            IF refused > 0 THEN
              RAISE EXCEPTION 'quota counter % refused', refused USING ERRCODE = 'QA001';
            END IF;
          END LOOP;
        EXCEPTION WHEN SQLSTATE 'QA001' THEN
          -- The block's subtransaction is rolled back: nothing this request moved stays counted.
          RETURN refused;
        END;
        RETURN 0;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION quota_admit(text, text[], text[], text[], timestamptz[], bigint[])`);
  }
}
