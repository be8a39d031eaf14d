/**
 * The cost of the governed path, side by side in one run against the same fast mock upstream: (a) the upstream called
 * directly, (b) Portkey's open-source gateway, (c) Attest fully governed (API key, registry, PII scan, Cedar decision,
 * quota, two committed audit events, output scan), (d) Attest with PII and policy off (audit stays on). Each cell runs
 * all four targets back to back, in an order rotated from cell to cell, so drift in the machine's load hits them alike.
 * After every Attest cell the served responses are matched against the committed audit events (exit 1 if one lacks
 * its events).
 *
 *   npm run bench:overhead
 *   OVERHEAD_DURATION_S=8 OVERHEAD_WARMUP_S=3 OVERHEAD_CONCURRENCY=1,8,32 OVERHEAD_MODES=json,sse OVERHEAD_PII_CONCURRENCY=8 \
 *     OVERHEAD_OUT=bench/overhead/results.json npm run bench:overhead
 */
import 'reflect-metadata';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ATTEST_MODEL, type AttestInstance, startAttest } from './attest-instance';
import { auditHead, countAuditEvents, waitForQuietLog } from './audit-check';
import { type CellLoad, type LoadTarget, runLoad } from './load';
import { type Child, freePort, startChild, treeCpuMs, waitForHttp, waitForLine } from './processes';
import { cellReport, type CellReport, type CpuPerRequest, figuresOf, markdownTable, ratioTable, redactionTable, type TargetFigures, TARGET_IDS, type TargetId, TARGET_LABELS } from './report';
import { answerLooksServed, chatBody, type Mode } from './workload';

const repoRoot = resolve(__dirname, '..', '..');
const env = process.env;
const settings = {
  durationS: Number(env.OVERHEAD_DURATION_S ?? 8),
  warmupS: Number(env.OVERHEAD_WARMUP_S ?? 3),
  concurrencies: (env.OVERHEAD_CONCURRENCY ?? '1,8,32').split(',').map(Number),
  modes: (env.OVERHEAD_MODES ?? 'json,sse').split(',') as Mode[],
  /** The e-mail prompt (redaction cost) runs non-streamed at this concurrency; 0 leaves it out. */
  piiConcurrency: Number(env.OVERHEAD_PII_CONCURRENCY ?? 8),
  out: resolve(repoRoot, env.OVERHEAD_OUT ?? 'bench/overhead/results.json'),
};
const TARGET_ORDER: readonly TargetId[] = TARGET_IDS;

const say = (line: string) => process.stdout.write(`${line}\n`);
const round2 = (value: number) => Math.round(value * 100) / 100;

function portkeyVersion(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', '@portkey-ai', 'gateway', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

interface Running {
  workDir: string;
  upstreamOrigin: string;
  upstream: Child;
  portkey: Child;
  attest: AttestInstance;
  attestAuditOnly: AttestInstance;
  loadTargets: Record<TargetId, LoadTarget>;
}

type Track = <T extends { stop(): Promise<void> }>(thing: T) => T;

async function startUpstream(workDir: string, track: Track): Promise<{ child: Child; baseUrl: string }> {
  const child = track(startChild('mock upstream', process.execPath, ['scripts/run-ts.cjs', 'bench/overhead/mock-upstream.ts'], {
    cwd: repoRoot,
    env: process.env,
    logFile: join(workDir, 'upstream.log'),
  }));
  const [, port] = await waitForLine(child, /listening (\d+)/, 60_000);
  return { child, baseUrl: `http://127.0.0.1:${port}/v1` };
}

/**
 * Portkey's gateway as its README runs it (`npx @portkey-ai/gateway`), headless (no UI, no log streaming), with a
 * preload that works around its streaming bug on the installed @hono/node-server (see portkey-preload.cjs).
 */
async function startPortkey(workDir: string, port: number, track: Track): Promise<Child> {
  const entry = join(repoRoot, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const preload = join(__dirname, 'portkey-preload.cjs');
  const child = track(
    startChild('portkey', process.execPath, ['-r', preload, entry, `--port=${port}`, '--headless'], {
      cwd: workDir,
      env: { ...process.env, NODE_ENV: 'production' },
      logFile: join(workDir, 'portkey.log'),
    }),
  );
  await waitForHttp(child, `http://127.0.0.1:${port}/`, 60_000);
  return child;
}

async function start(): Promise<Running> {
  const workDir = mkdtempSync(join(tmpdir(), 'attest-overhead-'));
  // Run as root, embedded PostgreSQL runs as the OS user postgres, which must be able to pass through this folder.
  chmodSync(workDir, 0o711);
  const started: { stop(): Promise<void> }[] = [];
  const track = <T extends { stop(): Promise<void> }>(thing: T): T => {
    started.push(thing);
    return thing;
  };
  try {
    const { child: upstream, baseUrl: upstreamBaseUrl } = await startUpstream(workDir, track);
    const portkeyPort = await freePort();
    // One after the other: two TypeScript start-ups and two initdb runs at once would only slow each other down.
    const portkey = await startPortkey(workDir, portkeyPort, track);
    const attest = track(await startAttest({ name: 'attest governed', repoRoot, workDir: subDir(workDir, 'attest'), upstreamBaseUrl, env: {} }));
    const attestAuditOnly = track(
      await startAttest({
        name: 'attest audit only',
        repoRoot,
        workDir: subDir(workDir, 'attest-audit-only'),
        upstreamBaseUrl,
        env: { ATTEST_PII_ENABLED: 'false', ATTEST_POLICY_ENABLED: 'false' },
      }),
    );
    const attestTarget = (instance: AttestInstance, name: string): LoadTarget => ({
      name,
      baseUrl: instance.baseUrl,
      path: '/v1/chat/completions',
      model: ATTEST_MODEL,
      headers: { authorization: `Bearer ${instance.apiKey}` },
    });
    return {
      workDir,
      upstreamOrigin: new URL(upstreamBaseUrl).origin,
      upstream,
      portkey,
      attest,
      attestAuditOnly,
      loadTargets: {
        direct: { name: 'direct', baseUrl: new URL(upstreamBaseUrl).origin, path: '/v1/chat/completions', model: 'mock-model', headers: { authorization: 'Bearer sk-mock' } },
        portkey: {
          name: 'portkey',
          baseUrl: `http://127.0.0.1:${portkeyPort}`,
          path: '/v1/chat/completions',
          model: 'mock-model',
          headers: { authorization: 'Bearer sk-mock', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamBaseUrl },
        },
        attest: attestTarget(attest, 'attest'),
        attestAuditOnly: attestTarget(attestAuditOnly, 'attest audit only'),
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((thing) => thing.stop()));
    say(`start-up failed; logs kept in ${workDir}`);
    throw error;
  }
}

function subDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { mode: 0o711 });
  return dir;
}

/** One request per target and mode before any load: each path answers, and answers the mock's text. */
async function checkTargets(running: Running): Promise<void> {
  for (const id of TARGET_ORDER) {
    const target = running.loadTargets[id];
    for (const mode of ['json', 'sse'] as const) {
      const response = await fetch(`${target.baseUrl}${target.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: chatBody(target.model, 'plain', mode),
      });
      const body = await response.text();
      if (!response.ok || !answerLooksServed(mode, body)) throw new Error(`${TARGET_LABELS[id]} (${mode}) answered ${response.status}: ${body.slice(0, 500)}`);
    }
  }
}

function cpuSnapshot(running: Running, id: TargetId): { gateway: number; database: number; upstream: number; loadGenerator: number } {
  const process_ = { portkey: running.portkey.process, attest: running.attest.child.process, attestAuditOnly: running.attestAuditOnly.child.process, direct: undefined }[id];
  const tree = process_?.pid ? treeCpuMs(process_.pid) : { own: 0, descendants: 0 };
  const upstream = running.upstream.process.pid ? treeCpuMs(running.upstream.process.pid) : { own: 0, descendants: 0 };
  const self = process.cpuUsage();
  return { gateway: tree.own, database: tree.descendants, upstream: upstream.own, loadGenerator: (self.user + self.system) / 1000 };
}

function attestOf(running: Running, id: TargetId): AttestInstance | undefined {
  if (id === 'attest') return running.attest;
  if (id === 'attestAuditOnly') return running.attestAuditOnly;
  return undefined;
}

async function upstreamStats(running: Running): Promise<{ requests: number; rawEmails: number }> {
  const response = await fetch(`${running.upstreamOrigin}/stats`);
  return (await response.json()) as { requests: number; rawEmails: number };
}

async function measure(running: Running, id: TargetId, cell: CellLoad): Promise<TargetFigures> {
  const attest = attestOf(running, id);
  const head = attest ? await waitForQuietLog(attest.connection.dataSource) : -1;
  const upstreamBefore = await upstreamStats(running);
  const before = cpuSnapshot(running, id);
  const load = await runLoad(running.loadTargets[id], cell);
  const after = cpuSnapshot(running, id);
  const upstreamAfter = await upstreamStats(running);
  const upstreamSaw = { requests: upstreamAfter.requests - upstreamBefore.requests, rawEmails: upstreamAfter.rawEmails - upstreamBefore.rawEmails };
  const perRequest = (key: keyof CpuPerRequest) => (after[key] - before[key]) / Math.max(1, load.ok);
  const cpu: CpuPerRequest = { gateway: perRequest('gateway'), database: perRequest('database'), upstream: perRequest('upstream'), loadGenerator: perRequest('loadGenerator') };
  let audit;
  if (attest) {
    await waitForQuietLog(attest.connection.dataSource);
    audit = await countAuditEvents(attest.connection.dataSource, head, load.requestIds);
    // A 2xx without an x-request-id cannot be matched to its events: count it as lost.
    const unmatched = load.ok - load.requestIds.length;
    if (unmatched > 0) audit = { ...audit, served: load.ok, lost: audit.lost + unmatched };
  }
  return figuresOf(id, load, cpu, upstreamSaw, audit);
}

async function warmUp(running: Running): Promise<void> {
  if (settings.warmupS <= 0) return;
  for (const mode of settings.modes) {
    for (const id of TARGET_ORDER) await runLoad(running.loadTargets[id], { concurrency: 8, mode, prompt: 'plain', durationS: settings.warmupS });
  }
}

function plannedCells(): CellLoad[] {
  const cells: CellLoad[] = [];
  for (const mode of settings.modes) {
    for (const concurrency of settings.concurrencies) cells.push({ mode, concurrency, prompt: 'plain', durationS: settings.durationS });
  }
  if (settings.piiConcurrency > 0) cells.push({ mode: 'json', concurrency: settings.piiConcurrency, prompt: 'pii', durationS: settings.durationS });
  return cells;
}

async function stopAll(running: Running): Promise<void> {
  await Promise.allSettled([running.attest.stop(), running.attestAuditOnly.stop(), running.portkey.stop(), running.upstream.stop()]);
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const startedAt = Date.now();
  say(`starting upstream, Portkey and two Attest instances (settings ${JSON.stringify({ ...settings, out: undefined })})`);
  const running = await start();
  const cells: CellReport[] = [];
  let keepWorkDir = false;
  try {
    await checkTargets(running);
    const auditHeads = { attest: await auditHead(running.attest.connection.dataSource), attestAuditOnly: await auditHead(running.attestAuditOnly.connection.dataSource) };
    say(`ready after ${((Date.now() - startedAt) / 1000).toFixed(0)} s (audit heads ${JSON.stringify(auditHeads)}); warming up`);
    await warmUp(running);
    const planned = plannedCells();
    for (const [index, cell] of planned.entries()) {
      const order = TARGET_ORDER.map((_, offset) => TARGET_ORDER[(index + offset) % TARGET_ORDER.length] as TargetId);
      const figures: TargetFigures[] = [];
      for (const id of order) figures.push(await measure(running, id, cell));
      const report = { ...cellReport(cell, figures), loadAverage1m: round2(loadavg()[0] ?? Number.NaN) };
      cells.push(report);
      const line = report.targets.map((f) => `${f.target} ${Math.round(f.rps)} rps p50 ${f.p50Ms} p99 ${f.p99Ms}${f.audit ? ` audit lost ${f.audit.lost}` : ''}`).join(' | ');
      say(`[${index + 1}/${planned.length}] ${cell.mode} ${cell.prompt} c=${cell.concurrency}: ${line}`);
    }
  } catch (error) {
    keepWorkDir = true;
    say(`failed; logs kept in ${running.workDir}`);
    throw error;
  } finally {
    await stopAll(running);
    if (!keepWorkDir) rmSync(running.workDir, { recursive: true, force: true });
  }

  const lost = cells.flatMap((cell) => cell.targets).reduce((sum, f) => sum + (f.audit ? f.audit.lost + f.audit.duplicated : 0), 0);
  const plain = cells.filter((cell) => cell.prompt === 'plain');
  const targetMet = { p50: plain.every((cell) => cell.targetMet.p50), rps: plain.every((cell) => cell.targetMet.rps), zeroAuditEventsLost: lost === 0 };
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      loadAverageBefore: loadBefore.map(round2),
      loadAverageAfter: loadavg().map(round2),
      node: process.version,
    },
    settings: {
      ...settings,
      out: undefined,
      portkey: `@portkey-ai/gateway ${portkeyVersion()} (--headless, NODE_ENV=production, portkey-preload.cjs for its streaming bug)`,
      attest: 'npm start equivalent, embedded PostgreSQL, shipped policies with the per-key rate quota raised, ATTEST_LOG_LEVEL=warn',
      latency: 'whole response as the client sees it (autocannon), to the microsecond',
    },
    targetMet,
    cells,
  };
  writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
  say(`\n${markdownTable(cells)}\n\n${ratioTable(cells)}\n\n${redactionTable(cells)}\n`);
  say(`target met: ${JSON.stringify(targetMet)}; took ${((Date.now() - startedAt) / 1000).toFixed(0)} s; wrote ${settings.out}`);
  if (lost > 0) {
    process.stderr.write(`${lost} served responses lack their audit events (or have them twice)\n`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
