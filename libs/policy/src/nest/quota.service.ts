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
   * {@link QuotaError} (nothing counted) when one is exhausted. Concurrent replicas cannot overshoot: each counter
   * moves in one conditional upsert.
   *
   * @example
   * await quotas.admit({ tenant, principalId, keyId, teams }, decision.obligations.quotas ?? []);
   */
  async admit(subject: QuotaSubject, quotas: readonly QuotaObligation[], now: Date = new Date()): Promise<void> {
    if (quotas.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await relaxDurability(manager);
      for (const quota of quotas) {
        const start = quotaWindow(quota.metric, now).start;
        for (const id of subjectIds(subject, quota.scope)) {
          const admitted = quota.metric === 'requests_per_minute'
            ? await this.countRequest(manager, subject.tenant, quota, id, start)
            : await this.withinBudget(manager, subject.tenant, quota, id, start);
          if (!admitted) throw new QuotaError(quota, retryAfterSeconds(quota.metric, now));
        }
      }
    });
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

  private async countRequest(manager: EntityManager, tenant: string, quota: QuotaObligation, id: string, start: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO quota_counter (tenant_id, scope, subject, metric, window_start, used) VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (tenant_id, scope, subject, metric, window_start)
       DO UPDATE SET used = quota_counter.used + 1 WHERE quota_counter.used < $6
       RETURNING used`,
      [tenant, quota.scope, id, quota.metric, start, quota.limit],
    );
    return rows.length > 0;
  }

  private async withinBudget(manager: EntityManager, tenant: string, quota: QuotaObligation, id: string, start: Date): Promise<boolean> {
    const rows: { used: string }[] = await manager.query(
      `SELECT used FROM quota_counter WHERE tenant_id = $1 AND scope = $2 AND subject = $3 AND metric = $4 AND window_start = $5`,
      [tenant, quota.scope, id, quota.metric, start],
    );
    return Number(rows[0]?.used ?? 0) < quota.limit;
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
