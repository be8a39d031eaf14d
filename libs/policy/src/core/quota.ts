/** Who a quota counts for: the API key, each of the caller's teams, or the whole tenant. */
export type QuotaScope = 'key' | 'team' | 'tenant';
export type QuotaMetric = 'requests_per_minute' | 'tokens_per_day';

/** A limit a policy set for an allowed request: `@obligation("requests_per_minute:key=60")`. */
export interface QuotaObligation {
  metric: QuotaMetric;
  scope: QuotaScope;
  limit: number;
}

export const QUOTA_METRICS: readonly QuotaMetric[] = ['requests_per_minute', 'tokens_per_day'];
const SCOPES: readonly QuotaScope[] = ['key', 'team', 'tenant'];

/** Parses the argument of a quota clause (`key=60`); returns undefined when malformed. */
export function parseQuotaArgument(metric: QuotaMetric, argument: string): QuotaObligation | undefined {
  const match = /^(key|team|tenant)\s*=\s*([1-9][0-9]{0,11})$/.exec(argument);
  if (!match) return undefined;
  const scope = match[1] as QuotaScope;
  return SCOPES.includes(scope) ? { metric, scope, limit: Number(match[2]) } : undefined;
}

/** Keeps the smallest limit per metric and scope (the strictest matched permit wins), in a stable order. */
export function mergeQuotas(quotas: readonly QuotaObligation[]): QuotaObligation[] {
  const smallest = new Map<string, QuotaObligation>();
  for (const quota of quotas) {
    const key = `${quota.metric}:${quota.scope}`;
    const known = smallest.get(key);
    if (!known || quota.limit < known.limit) smallest.set(key, quota);
  }
  return [...smallest.values()].sort((a, b) => `${a.metric}:${a.scope}`.localeCompare(`${b.metric}:${b.scope}`));
}

/** The fixed window a moment falls in: the UTC minute for request rates, the UTC day for token budgets. */
export function quotaWindow(metric: QuotaMetric, now: Date): { start: Date; end: Date } {
  const ms = now.getTime();
  const size = metric === 'requests_per_minute' ? 60_000 : 86_400_000;
  const start = Math.floor(ms / size) * size;
  return { start: new Date(start), end: new Date(start + size) };
}

/** Whole seconds until the window of `now` ends (at least 1): the Retry-After of a 429 (RFC 9110 §10.2.3). */
export function retryAfterSeconds(metric: QuotaMetric, now: Date): number {
  return Math.max(1, Math.ceil((quotaWindow(metric, now).end.getTime() - now.getTime()) / 1000));
}

/** Stable codes of quota refusals (kept apart from PolicyErrorCode: the gateway answers them with 429). */
export enum QuotaErrorCode {
  Exceeded = 'QUOTA_EXCEEDED',
}

/** A request over a quota: answer 429 with `Retry-After: retryAfterSeconds`. */
export class QuotaError extends Error {
  readonly code = QuotaErrorCode.Exceeded;

  constructor(
    readonly quota: QuotaObligation,
    readonly retryAfterSeconds: number,
  ) {
    super(`quota exceeded: ${quota.metric.replaceAll('_', ' ')} per ${quota.scope} is ${quota.limit}; retry in ${retryAfterSeconds} s`);
    this.name = 'QuotaError';
  }
}
