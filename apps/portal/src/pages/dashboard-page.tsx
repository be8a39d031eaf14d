import { type ReactNode, useEffect, useState } from 'react';
import { api } from '../api/http';
import { dashboardSchema, type DashboardView } from '../api/schemas';
import { formatNumber, HorizontalBarChart, LineChart, SERIES_COLOURS, type Series, StackedBarChart } from '../components/charts';
import { ErrorMessage } from '../components/feedback';

const PERIODS = [7, 14, 30, 90] as const;
/** PII types shown as their own series; the rest are added up as "other types". */
const PII_SERIES = 5;

const colour = (index: number): string => SERIES_COLOURS[index % SERIES_COLOURS.length] ?? SERIES_COLOURS[0];

function peak(labels: string[], values: number[]): string {
  const max = Math.max(0, ...values);
  return max === 0 ? 'none on any day' : `highest ${formatNumber(max)} on ${labels[values.indexOf(max)]}`;
}

function Figures({ view }: { view: DashboardView }): ReactNode {
  const { totals } = view;
  return (
    <dl className="tiles">
      <div>
        <dt>Requests</dt>
        <dd>{formatNumber(totals.requests)}</dd>
      </div>
      <div>
        <dt>Denied</dt>
        <dd>{formatNumber(totals.denials)}</dd>
      </div>
      <div>
        <dt>Prompt tokens</dt>
        <dd>{formatNumber(totals.promptTokens)}</dd>
      </div>
      <div>
        <dt>Completion tokens</dt>
        <dd>{formatNumber(totals.completionTokens)}</dd>
      </div>
      <div>
        <dt>PII findings</dt>
        <dd>{formatNumber(totals.piiFindings)}</dd>
      </div>
      {(['p50', 'p95', 'p99'] as const).map((key) => (
        <div key={key}>
          <dt>Latency {key}</dt>
          <dd>{totals.latency ? `${formatNumber(totals.latency[key])} ms` : '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

function piiSeries(view: DashboardView): Series[] {
  const named = view.piiByType.slice(0, PII_SERIES).map((entry) => entry.type);
  const series: Series[] = named.map((type, index) => ({ name: type, colour: colour(index), values: view.daily.map((day) => day.pii[type] ?? 0) }));
  if (view.piiByType.length > PII_SERIES) {
    const other = view.daily.map((day) => Object.entries(day.pii).reduce((sum, [type, count]) => sum + (named.includes(type) ? 0 : count), 0));
    series.push({ name: 'other types', colour: colour(PII_SERIES), values: other });
  }
  return series;
}

function Charts({ view }: { view: DashboardView }): ReactNode {
  const days = view.daily.map((day) => day.day);
  const requests = view.daily.map((day) => day.requests);
  const denials = view.daily.map((day) => day.denials);
  const tokens = view.daily.map((day) => day.promptTokens + day.completionTokens);
  const pii = piiSeries(view);
  const teams = view.byTeam.map((row) => row.team ?? '(no team)');
  const models = view.byModel.map((row) => row.model ?? '(no model)');
  const usage = <T extends { requests: number; denials: number; promptTokens: number; completionTokens: number }>(rows: T[]): Series[] => [
    { name: 'Requests', colour: colour(0), values: rows.map((row) => row.requests) },
    { name: 'Denied', colour: colour(1), values: rows.map((row) => row.denials) },
    { name: 'Prompt tokens', colour: colour(2), values: rows.map((row) => row.promptTokens) },
    { name: 'Completion tokens', colour: colour(3), values: rows.map((row) => row.completionTokens) },
  ];
  return (
    <div className="charts">
      <StackedBarChart
        id="chart-requests"
        title="Requests per day"
        summary={`Requests per UTC day: ${formatNumber(view.totals.requests)} in all, ${formatNumber(view.totals.denials)} denied; ${peak(days, requests)}.`}
        labels={days}
        labelHeading="Day (UTC)"
        series={[
          { name: 'Allowed', colour: colour(0), values: view.daily.map((day) => day.requests - day.denials) },
          { name: 'Denied', colour: colour(1), values: denials },
        ]}
      />
      <StackedBarChart
        id="chart-tokens"
        title="Tokens per day"
        summary={`Prompt and completion tokens per UTC day: ${formatNumber(view.totals.promptTokens + view.totals.completionTokens)} in all; ${peak(days, tokens)}.`}
        labels={days}
        labelHeading="Day (UTC)"
        series={[
          { name: 'Prompt tokens', colour: colour(0), values: view.daily.map((day) => day.promptTokens) },
          { name: 'Completion tokens', colour: colour(2), values: view.daily.map((day) => day.completionTokens) },
        ]}
      />
      <StackedBarChart
        id="chart-pii"
        title="PII findings per day, by type"
        summary={
          view.piiByType.length === 0
            ? 'No personal data was found in prompts or answers in this period.'
            : `PII findings in prompts and answers per UTC day: ${view.piiByType.map((entry) => `${entry.type} ${formatNumber(entry.findings)}`).join(', ')}.`
        }
        labels={days}
        labelHeading="Day (UTC)"
        series={pii.length > 0 ? pii : [{ name: 'Findings', colour: colour(0), values: view.daily.map(() => 0) }]}
      />
      <LineChart
        id="chart-latency"
        title="Latency per day (ms)"
        summary={
          view.totals.latency
            ? `Answer latency percentiles per UTC day; over the period p50 ${formatNumber(view.totals.latency.p50)} ms, p95 ${formatNumber(view.totals.latency.p95)} ms, p99 ${formatNumber(view.totals.latency.p99)} ms.`
            : 'No answered request in this period, so no latency.'
        }
        labels={days}
        labelHeading="Day (UTC)"
        unit="milliseconds"
        series={(['p50', 'p95', 'p99'] as const).map((key, index) => ({ name: key, colour: colour(index), values: view.daily.map((day) => day.latency?.[key] ?? null) }))}
      />
      <HorizontalBarChart
        id="chart-teams"
        title="Requests by team"
        summary={`Requests per team (a request counts for each team of its caller): ${view.byTeam.map((row) => `${row.team ?? 'no team'} ${formatNumber(row.requests)}`).join(', ')}.`}
        labels={teams}
        labelHeading="Team"
        series={usage(view.byTeam)}
      />
      <HorizontalBarChart
        id="chart-models"
        title="Requests by model"
        summary={`Requests per model: ${view.byModel.map((row) => `${row.model ?? 'no model'} ${formatNumber(row.requests)}`).join(', ')}.`}
        labels={models}
        labelHeading="Model"
        series={usage(view.byModel)}
      />
    </div>
  );
}

/**
 * The overview a manager reads at a glance: requests, tokens, denials, PII findings, teams, models and latency, all
 * counted from the audit log. Opening it is recorded in the log like every other read of it.
 */
export function DashboardPage(): ReactNode {
  const [days, setDays] = useState<number>(14);
  const [attempt, setAttempt] = useState(0);
  const [view, setView] = useState<DashboardView>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let current = true;
    setError(undefined);
    setView(undefined);
    api('GET', `/api/admin/dashboard?days=${days}`, dashboardSchema).then(
      (value) => current && setView(value),
      (reason: unknown) => current && setError(reason),
    );
    return () => {
      current = false;
    };
  }, [days, attempt]);

  return (
    <section aria-label="Usage overview" aria-busy={!view && !error}>
      <p>Counted from the audit log, per UTC day. Opening this overview is recorded in the audit log.</p>
      <label htmlFor="overview-days">Period</label>
      <select id="overview-days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
        {PERIODS.map((period) => (
          <option key={period} value={period}>
            Last {period} days
          </option>
        ))}
      </select>
      {error ? (
        <div className="panel">
          <ErrorMessage error={error} />
          <p>The overview could not be loaded. Check that the gateway and its database are running, then try again.</p>
          <button type="button" onClick={() => setAttempt(attempt + 1)}>
            Try again
          </button>
        </div>
      ) : null}
      {!view && !error ? <p>Loading the overview…</p> : null}
      {view && view.totals.requests === 0 && view.totals.promptTokens === 0 ? (
        <div className="panel" data-testid="overview-empty">
          <h2>No requests in the last {view.days} days</h2>
          <p>
            The overview fills in as applications call the gateway&apos;s OpenAI-compatible API (<code>POST /v1/chat/completions</code>) with an API key. Create a
            key on the API keys page (admins), send a first request, then come back here, or choose a longer period above.
          </p>
        </div>
      ) : null}
      {view && (view.totals.requests > 0 || view.totals.promptTokens > 0) ? (
        <>
          <Figures view={view} />
          <Charts view={view} />
        </>
      ) : null}
    </section>
  );
}
