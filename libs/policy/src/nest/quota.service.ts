import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { quotaWindow, retryAfterSeconds, QuotaError, type QuotaObligation, type QuotaScope } from '../core/quota';

/** Whose counters a request moves. */
export interface QuotaSubject {
  tenant: string;
  principalId: string;
  /** The API key's id; callers without a key (OIDC sessions) count per principal. */
  keyId?: string;
  teams: readonly string[];
}

/**
 * Request-rate and token-budget quotas, counted in PostgreSQL so that every replica sees the same counters (an
 * in-memory counter per replica would multiply each limit by the replica count). Windows are fixed: the UTC minute
 * for requests, the UTC day for tokens.
 */
@Injectable()
export class QuotaService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one request against every `requests_per_minute` quota and checks every `tokens_per_day` budget; throws
   * {@link QuotaError} (nothing counted) when one is exhausted. One round trip: the `quota_admit` function moves every
   * counter in order, each in one conditional upsert (concurrent replicas cannot overshoot), and rolls them all back
   * when one refuses. A database that cannot be reached or written throws its own error: the request is refused.
   *
   * @example
   * await quotas.admit({ tenant, principalId, keyId, teams }, decision.obligations.quotas ?? []);
   */
  async admit(subject: QuotaSubject, quotas: readonly QuotaObligation[], now: Date = new Date()): Promise<void> {
    if (quotas.length === 0) return;
    // Called even when the quotas name no counter (team quotas, caller in no team), as before: fails closed.
    const counters = quotas.flatMap((quota) => {
      const start = quotaWindow(quota.metric, now).start.toISOString();
      return subjectIds(subject, quota.scope).map((id) => ({ quota, id, start }));
    });
    const rows: { refused: number }[] = await this.dataSource.query(
      `SELECT quota_admit($1, $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[]) AS refused`,
      [
        subject.tenant,
        counters.map((counter) => counter.quota.scope),
        counters.map((counter) => counter.id),
        counters.map((counter) => counter.quota.metric),
        counters.map((counter) => counter.start),
        counters.map((counter) => counter.quota.limit),
      ],
    );
    const position = rows[0]?.refused;
    if (position === 0) return;
    const refused = position === undefined ? undefined : counters[position - 1];
    if (!refused) throw new Error(`quota_admit answered ${JSON.stringify(rows[0])} for ${counters.length} counters`);
    throw new QuotaError(refused.quota, retryAfterSeconds(refused.quota.metric, now));
  }

  /** Adds the tokens a served request used to every `tokens_per_day` budget it falls under. */
  async recordTokens(subject: QuotaSubject, quotas: readonly QuotaObligation[], tokens: number, now: Date = new Date()): Promise<void> {
    const budgets = quotas.filter((quota) => quota.metric === 'tokens_per_day');
    if (budgets.length === 0 || tokens <= 0) return;
    const start = quotaWindow('tokens_per_day', now).start;
    await this.dataSource.transaction(async (manager) => {
      await relaxDurability(manager);
      for (const quota of budgets) {
        for (const id of subjectIds(subject, quota.scope)) {
          await manager.query(
          `INSERT INTO quota_counter (tenant_id, scope, subject, metric, window_start, used) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (tenant_id, scope, subject, metric, window_start) DO UPDATE SET used = quota_counter.used + EXCLUDED.used`,
            [subject.tenant, quota.scope, id, quota.metric, start, Math.round(tokens)],
          );
        }
      }
    });
  }

  /** Deletes counters of windows that ended before `before` (run daily; old windows are never read). */
  async prune(before: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(`DELETE FROM quota_counter WHERE window_start < $1`, [before])) as [unknown, number];
    return count;
  }
}

/**
 * Counters are rate limits, not evidence: their commits need not wait for the WAL flush (PostgreSQL asynchronous
 * commit). A crash can lose the last fraction of a second of increments, never corrupt them, and every request pays
 * one disk flush less. Audit events keep full durability.
 */
async function relaxDurability(manager: EntityManager): Promise<void> {
  await manager.query('SET LOCAL synchronous_commit = off');
}

function subjectIds(subject: QuotaSubject, scope: QuotaScope): readonly string[] {
  switch (scope) {
    case 'key':
      return [subject.keyId ?? `principal:${subject.principalId}`];
    case 'team':
      return subject.teams;
    case 'tenant':
      return [subject.tenant];
  }
}
