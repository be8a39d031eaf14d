/** Figures per cell and target, the added latency over the direct call, Attest/Portkey ratios, and a Markdown table. */
import type { AuditCount } from './audit-check';
import { type CellLoad, type LoadOutcome, percentile } from './load';

export const TARGET_IDS = ['direct', 'portkey', 'attest', 'attestAuditOnly'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export const TARGET_LABELS: Record<TargetId, string> = {
  direct: '(a) upstream direct',
  portkey: '(b) Portkey',
  attest: '(c) Attest governed',
  attestAuditOnly: '(d) Attest, PII+policy off',
};

/** CPU milliseconds per served request, by process. */
export interface CpuPerRequest {
  /** The proxy under test (Attest's Node process, Portkey's); 0 for the direct call. */
  gateway: number;
  /** PostgreSQL under Attest (every backend, the WAL writer, the checkpointer). */
  database: number;
  upstream: number;
  /** autocannon, in the bench process. */
  loadGenerator: number;
}

export interface TargetFigures {
  target: TargetId;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  cpuMsPerRequest: CpuPerRequest;
  /** Median of Attest's own x-attest-overhead-ms header (time spent outside the model, as Attest counts it). */
  reportedOverheadP50Ms?: number;
  audit?: AuditCount;
  /** What the mock upstream received during the cell: requests, and how many held the PII prompt's address in clear. */
  upstreamSaw: { requests: number; rawEmails: number };
  addedP50Ms?: number;
  addedP99Ms?: number;
}

export interface CellReport extends CellLoad {
  targets: TargetFigures[];
  /** Attest (c or d) over Portkey: requests/s ratio (higher is better) and added-p50 ratio (lower is better). */
  ratios: { attestRps: number; attestAddedP50: number; auditOnlyRps: number; auditOnlyAddedP50: number };
  /** Attest governed: added p50 no higher than Portkey's, requests/s at least Portkey's. */
  targetMet: { p50: boolean; rps: boolean };
  /** The machine's 1-minute load average when the cell ended (2 cores: above 2 means others wanted CPU too). */
  loadAverage1m?: number;
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : Number.NaN);

export function figuresOf(target: TargetId, load: LoadOutcome, cpu: CpuPerRequest, upstreamSaw: TargetFigures['upstreamSaw'], audit?: AuditCount): TargetFigures {
  const mean = load.latenciesMs.reduce((sum, value) => sum + value, 0) / Math.max(1, load.latenciesMs.length);
  return {
    target,
    rps: round(load.ok / load.durationS, 1),
    p50Ms: round(percentile(load.latenciesMs, 50), 3),
    p99Ms: round(percentile(load.latenciesMs, 99), 3),
    meanMs: round(mean, 3),
    ok: load.ok,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    mismatches: load.mismatches,
    statusCodes: load.statusCodes,
    cpuMsPerRequest: {
      gateway: round(cpu.gateway, 3),
      database: round(cpu.database, 3),
      upstream: round(cpu.upstream, 3),
      loadGenerator: round(cpu.loadGenerator, 3),
    },
    ...(load.reportedOverheadMs.length > 0 ? { reportedOverheadP50Ms: round(percentile(load.reportedOverheadMs, 50), 2) } : {}),
    ...(audit ? { audit } : {}),
    upstreamSaw,
  };
}

export function cellReport(cell: CellLoad, figures: TargetFigures[]): CellReport {
  const by = (id: TargetId) => {
    const found = figures.find((figure) => figure.target === id);
    if (!found) throw new Error(`no figures for ${id}`);
    return found;
  };
  const direct = by('direct');
  const targets = figures.map((figure) => ({ ...figure, addedP50Ms: round(figure.p50Ms - direct.p50Ms, 3), addedP99Ms: round(figure.p99Ms - direct.p99Ms, 3) }));
  const added = (id: TargetId) => targets.find((figure) => figure.target === id)?.addedP50Ms ?? Number.NaN;
  const portkey = by('portkey');
  const attest = by('attest');
  return {
    ...cell,
    targets,
    ratios: {
      attestRps: round(attest.rps / portkey.rps, 3),
      attestAddedP50: round(added('attest') / added('portkey'), 3),
      auditOnlyRps: round(by('attestAuditOnly').rps / portkey.rps, 3),
      auditOnlyAddedP50: round(added('attestAuditOnly') / added('portkey'), 3),
    },
    targetMet: { p50: added('attest') <= added('portkey'), rps: attest.rps >= portkey.rps },
  };
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const signed = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : `${value >= 0 ? '+' : ''}${ms(value)}`);

export function markdownTable(cells: CellReport[]): string {
  const lines = [
    '| mode | prompt | conc. | target | req/s | p50 ms | p99 ms | added p50 | added p99 | CPU ms/req (proxy+db) | audit served/complete/lost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const cell of cells) {
    // Measured in a rotated order (kept in results.json); shown as (a) to (d).
    const ordered = [...cell.targets].sort((x, y) => TARGET_IDS.indexOf(x.target) - TARGET_IDS.indexOf(y.target));
    for (const figure of ordered) {
      const cpu = figure.cpuMsPerRequest.gateway + figure.cpuMsPerRequest.database;
      const audit = figure.audit ? `${figure.audit.served}/${figure.audit.complete}/${figure.audit.lost}` : '';
      const failures = figure.non2xx + figure.errors + figure.mismatches > 0 ? ` (${figure.non2xx} non-2xx, ${figure.errors} errors, ${figure.mismatches} bad bodies)` : '';
      lines.push(
        `| ${cell.mode} | ${cell.prompt} | ${cell.concurrency} | ${TARGET_LABELS[figure.target]}${failures} | ${Math.round(figure.rps).toLocaleString('en-US')} | ${ms(figure.p50Ms)} | ${ms(figure.p99Ms)} | ${figure.target === 'direct' ? '' : signed(figure.addedP50Ms)} | ${figure.target === 'direct' ? '' : signed(figure.addedP99Ms)} | ${figure.target === 'direct' ? '' : cpu.toFixed(2)} | ${audit} |`,
      );
    }
  }
  return lines.join('\n');
}

export function ratioTable(cells: CellReport[]): string {
  const lines = [
    '| mode | prompt | conc. | (c)/(b) req/s | (c)/(b) added p50 | (d)/(b) req/s | (d)/(b) added p50 | target met (p50, req/s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const cell of cells) {
    const r = cell.ratios;
    lines.push(
      `| ${cell.mode} | ${cell.prompt} | ${cell.concurrency} | ${r.attestRps} | ${r.attestAddedP50} | ${r.auditOnlyRps} | ${r.auditOnlyAddedP50} | ${cell.targetMet.p50 ? 'yes' : 'no'}, ${cell.targetMet.rps ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

/** The e-mail prompt: how many requests reached the upstream with the address in clear, per target. */
export function redactionTable(cells: CellReport[]): string {
  const lines = ['| mode | conc. | target | requests at upstream | with the e-mail in clear |', '| --- | --- | --- | --- | --- |'];
  for (const cell of cells.filter((candidate) => candidate.prompt === 'pii')) {
    for (const figure of [...cell.targets].sort((x, y) => TARGET_IDS.indexOf(x.target) - TARGET_IDS.indexOf(y.target))) {
      lines.push(`| ${cell.mode} | ${cell.concurrency} | ${TARGET_LABELS[figure.target]} | ${figure.upstreamSaw.requests} | ${figure.upstreamSaw.rawEmails} |`);
    }
  }
  return lines.join('\n');
}
