import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Counts of one slice (a day, a team, a model, or the whole period). */
export interface UsageFigures {
  /** `inference.request` events, whatever their outcome. */
  requests: number;
  /** Requests refused (`inference.request` with outcome `denied`: policy, quota). */
  denials: number;
  promptTokens: number;
  completionTokens: number;
}

export interface DailyFigures extends UsageFigures {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** PII findings (input and output) by entity type. */
  pii: Record<string, number>;
  piiFindings: number;
  /** Over the day's successful `inference.response` events; null when there were none. */
  latency: LatencyPercentiles | null;
}

export interface DashboardView {
  days: number;
  /** Inclusive start (UTC midnight) and exclusive end (the next UTC midnight after today). */
  from: string;
  to: string;
  totals: UsageFigures & { piiFindings: number; latency: LatencyPercentiles | null };
  /** Every day of the period, oldest first, zeros included. */
  daily: DailyFigures[];
  piiByType: { type: string; findings: number }[];
  /** An event counts for each team of its actor (as quotas do), so team rows may add up to more than the totals. */
  byTeam: (UsageFigures & { team: string | null })[];
  byModel: (UsageFigures & { model: string | null; latency: LatencyPercentiles | null })[];
}

interface AggregateRow {
  kind: 'day' | 'model' | 'total' | 'team' | 'pii';
  day: string | null;
  key: string | null;
  requests: string;
  denials: string;
  prompt_tokens: string;
  completion_tokens: string;
  findings: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const DAY_MS = 86_400_000;

/**
 * One statement over the period's inference events (bounded by the `ts` index), each decoded once from its canonical
 * bytes. Teams: what the event records (`actor.teams` / `actor.team`), else the actor's identity groups.
 */
const AGGREGATE = `
  WITH e AS MATERIALIZED (
    SELECT to_char(ev.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ev.action, ev.outcome, ev.actor_id,
           convert_from(ev.canonical, 'UTF8')::jsonb AS doc
    FROM audit_event ev
    WHERE ev.tenant = $1 AND ev.ts >= $2 AND ev.ts < $3 AND ev.action IN ('inference.request', 'inference.response')
  ), f AS (
    SELECT day, action, outcome, actor_id, doc, doc->'resource'->>'name' AS model,
           CASE WHEN action = 'inference.request' THEN 1 ELSE 0 END AS request,
           CASE WHEN action = 'inference.request' AND outcome = 'denied' THEN 1 ELSE 0 END AS denial,
           CASE WHEN action = 'inference.response' THEN coalesce((doc->'usage'->>'promptTokens')::numeric, 0) ELSE 0 END AS prompt_tokens,
           CASE WHEN action = 'inference.response' THEN coalesce((doc->'usage'->>'completionTokens')::numeric, 0) ELSE 0 END AS completion_tokens,
           CASE WHEN action = 'inference.response' AND outcome = 'success' THEN (doc->>'latencyMs')::double precision END AS latency_ms
    FROM e
  ), usage AS (
    SELECT CASE WHEN GROUPING(day) = 0 THEN 'day' WHEN GROUPING(model) = 0 THEN 'model' ELSE 'total' END AS kind,
           day, model AS key, sum(request) AS requests, sum(denial) AS denials, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, 0::numeric AS findings,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
           percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
    FROM f GROUP BY GROUPING SETS ((day), (model), ())
  ), teams AS (
    SELECT 'team' AS kind, NULL::text AS day, team AS key, sum(request) AS requests, sum(denial) AS denials,
           sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, 0::numeric AS findings,
           NULL::double precision AS p50, NULL::double precision AS p95, NULL::double precision AS p99
    FROM f
    LEFT JOIN principal p ON p.tenant_id = $1
      AND p.id = CASE WHEN f.actor_id ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN f.actor_id::uuid END
    CROSS JOIN LATERAL unnest(CASE
      WHEN jsonb_typeof(f.doc->'actor'->'teams') = 'array' AND jsonb_array_length(f.doc->'actor'->'teams') > 0
        THEN ARRAY(SELECT jsonb_array_elements_text(f.doc->'actor'->'teams'))
      WHEN jsonb_typeof(f.doc->'actor'->'team') = 'string' THEN ARRAY[f.doc->'actor'->>'team']
      WHEN cardinality(p.groups) > 0 THEN p.groups
      ELSE ARRAY[NULL::text] END) AS team
    GROUP BY team
  ), pii AS (
    SELECT 'pii' AS kind, day, finding.key AS key, 0::numeric AS requests, 0::numeric AS denials, 0::numeric AS prompt_tokens,
           0::numeric AS completion_tokens, sum(finding.value::numeric) AS findings,
           NULL::double precision AS p50, NULL::double precision AS p95, NULL::double precision AS p99
    FROM f CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(f.doc->'pii') = 'object' THEN f.doc->'pii' ELSE '{}'::jsonb END) AS finding
    GROUP BY day, finding.key
  )
  SELECT * FROM usage UNION ALL SELECT * FROM teams UNION ALL SELECT * FROM pii`;

function figuresOf(row: AggregateRow | undefined): UsageFigures {
  return {
    requests: Number(row?.requests ?? 0),
    denials: Number(row?.denials ?? 0),
    promptTokens: Number(row?.prompt_tokens ?? 0),
    completionTokens: Number(row?.completion_tokens ?? 0),
  };
}

function latencyOf(row: AggregateRow | undefined): LatencyPercentiles | null {
  return row && row.p50 !== null && row.p95 !== null && row.p99 !== null ? { p50: row.p50, p95: row.p95, p99: row.p99 } : null;
}

/** Longest the overview's aggregate may run. */
const OVERVIEW_TIMEOUT_MS = 15_000;

const byRequestsThenName = <T extends UsageFigures>(name: (item: T) => string | null) => (a: T, b: T) =>
  b.requests - a.requests || (name(a) ?? '').localeCompare(name(b) ?? '');

/**
 * The overview a manager reads at a glance, aggregated from the audit log itself (no second set of counters that could
 * disagree with the evidence). Reading it is an audit read like any other console read: recorded before the answer.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
  ) {}

  /**
   * The aggregate reads every inference event of the period: bounded in time, so a very large log makes the overview
   * say so instead of holding a connection (and the portal's landing page) for minutes.
   */
  private async aggregate(tenant: string, from: Date, to: Date): Promise<AggregateRow[]> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL statement_timeout = ${OVERVIEW_TIMEOUT_MS}`);
        return (await manager.query(AGGREGATE, [tenant, from, to])) as AggregateRow[];
      });
    } catch (error) {
      if ((error as { code?: string }).code !== '57014') throw error;
      throw new ServiceUnavailableException(`The overview of this period took longer than ${OVERVIEW_TIMEOUT_MS / 1000} s to compute; choose fewer days.`);
    }
  }

  async overview(days: number, actor: AuditActor, now: Date = new Date()): Promise<DashboardView> {
    const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const from = new Date(tomorrow - days * DAY_MS);
    const to = new Date(tomorrow);
    const rows = await this.aggregate(actor.tenant, from, to);
    const of = (kind: AggregateRow['kind']) => rows.filter((row) => row.kind === kind);

    const piiRows = of('pii');
    const daily = Array.from({ length: days }, (_, index): DailyFigures => {
      const day = new Date(from.getTime() + index * DAY_MS).toISOString().slice(0, 10);
      const row = of('day').find((candidate) => candidate.day === day);
      const pii = Object.fromEntries(piiRows.filter((candidate) => candidate.day === day).map((candidate) => [candidate.key ?? '', Number(candidate.findings)]));
      return { day, ...figuresOf(row), pii, piiFindings: Object.values(pii).reduce((sum, count) => sum + count, 0), latency: latencyOf(row) };
    });
    const piiByType = new Map<string, number>();
    for (const row of piiRows) piiByType.set(row.key ?? '', (piiByType.get(row.key ?? '') ?? 0) + Number(row.findings));
    const total = of('total')[0];
    const view: DashboardView = {
      days,
      from: from.toISOString(),
      to: to.toISOString(),
      totals: { ...figuresOf(total), piiFindings: daily.reduce((sum, day) => sum + day.piiFindings, 0), latency: latencyOf(total) },
      daily,
      piiByType: [...piiByType].map(([type, findings]) => ({ type, findings })).sort((a, b) => b.findings - a.findings || a.type.localeCompare(b.type)),
      byTeam: of('team').map((row) => ({ team: row.key, ...figuresOf(row) })).sort(byRequestsThenName((item) => item.team)),
      byModel: of('model').map((row) => ({ model: row.key, ...figuresOf(row), latency: latencyOf(row) })).sort(byRequestsThenName((item) => item.model)),
    };
    await this.audit.record({
      action: 'audit.dashboard_viewed',
      outcome: 'success',
      actor,
      tenant: actor.tenant,
      resource: { type: 'audit_log' },
      details: { days, from: view.from, to: view.to },
    });
    return view;
  }
}
