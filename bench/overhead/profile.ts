/**
 * Where Attest's CPU goes, and what a change saves. Starts the mock upstream and one Attest instance (A), or two (A and
 * B) for a side-by-side comparison, warms them up, then runs autocannon rounds per mode at one concurrency, alternating
 * the instances, and prints the gateway's and its PostgreSQL's CPU per served request (from /proc) with medians.
 *
 * - PROFILE_ENV_A / PROFILE_ENV_B: extra environment per instance (`KEY=value KEY2=value`).
 * - PROFILE_WAIT_FILE: with B, wait after A has started until this file exists before starting B, so that B runs code
 *   edited meanwhile (each instance compiles its TypeScript when it starts) and A keeps the code from before.
 * - PROFILE_CPU_PROF=1: instance A runs under `node --cpu-prof`; its samples are summed by component per mode.
 * - PROFILE_NODE_ARGS: extra Node options for both instances (e.g. `--report-on-fatalerror --report-directory=/tmp/r`).
 *
 *   node scripts/run-ts.cjs bench/overhead/profile.ts
 *   PROFILE_DURATION_S=8 PROFILE_ROUNDS=3 PROFILE_CONCURRENCY=8 PROFILE_MODES=json,sse PROFILE_PROMPT=plain \
 *     PROFILE_ENV_B='OTEL_SDK_DISABLED=true' node scripts/run-ts.cjs bench/overhead/profile.ts
 */
import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AttestInstance, startAttest } from './attest-instance';
import { countAuditEvents, waitForQuietLog } from './audit-check';
import { type ProfileWindow, summariseProfile } from './cpuprofile-summary';
import { type LoadTarget, runLoad } from './load';
import { startChild, treeCpuMs, waitForLine } from './processes';
import type { Mode, PromptKind } from './workload';

const repoRoot = resolve(__dirname, '..', '..');
const env = process.env;
const durationS = Number(env.PROFILE_DURATION_S ?? 8);
const rounds = Number(env.PROFILE_ROUNDS ?? 1);
const concurrency = Number(env.PROFILE_CONCURRENCY ?? 8);
const modes = (env.PROFILE_MODES ?? 'json,sse').split(',') as Mode[];
const prompt = (env.PROFILE_PROMPT ?? 'plain') as PromptKind;
const profiling = env.PROFILE_CPU_PROF === '1';
const withB = env.PROFILE_ENV_B !== undefined || env.PROFILE_WAIT_FILE !== undefined;
const say = (line: string) => process.stdout.write(`${line}\n`);

function envOf(text: string | undefined): Record<string, string> {
  return Object.fromEntries((text ?? '').split(' ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

interface Sample {
  rps: number;
  gateway: number;
  database: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function waitForFile(file: string): Promise<void> {
  say(`A is ready; waiting for ${file} before starting B`);
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 500));
}

async function measure(instance: AttestInstance, mode: Mode): Promise<{ sample: Sample; window: ProfileWindow; lost: number }> {
  const target: LoadTarget = { name: 'attest', baseUrl: instance.baseUrl, path: '/v1/chat/completions', model: 'overhead-pool', headers: { authorization: `Bearer ${instance.apiKey}` } };
  const head = await waitForQuietLog(instance.connection.dataSource);
  const pid = instance.child.process.pid ?? 0;
  const before = treeCpuMs(pid);
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const load = await runLoad(target, { concurrency, mode, prompt, durationS });
  const window = { label: `${mode} ${prompt} c=${concurrency}`, startUs, endUs: Number(process.hrtime.bigint() / 1000n), requests: load.ok };
  const after = treeCpuMs(pid);
  await waitForQuietLog(instance.connection.dataSource);
  const audit = await countAuditEvents(instance.connection.dataSource, head, load.requestIds);
  const failed = load.non2xx + load.errors + load.mismatches;
  if (failed > 0) say(`  ${mode}: ${failed} failed (${JSON.stringify(load.statusCodes)}, errors ${load.errors}, mismatches ${load.mismatches})`);
  const per = (key: 'own' | 'descendants') => (after[key] - before[key]) / Math.max(1, load.ok);
  return { sample: { rps: load.ok / durationS, gateway: per('own'), database: per('descendants') }, window, lost: audit.lost + audit.duplicated };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'attest-profile-'));
  chmodSync(workDir, 0o711);
  const profDir = join(workDir, 'prof');
  mkdirSync(profDir);
  const upstream = startChild('mock upstream', process.execPath, ['scripts/run-ts.cjs', 'bench/overhead/mock-upstream.ts'], {
    cwd: repoRoot,
    env: process.env,
    logFile: join(workDir, 'upstream.log'),
  });
  const instances: { name: string; instance: AttestInstance }[] = [];
  const windows: ProfileWindow[] = [];
  try {
    const [, port] = await waitForLine(upstream, /listening (\d+)/, 60_000);
    const upstreamBaseUrl = `http://127.0.0.1:${port}/v1`;
    const start = async (name: string, extra: Record<string, string>, nodeArgs: string) => {
      const dir = join(workDir, name);
      mkdirSync(dir, { mode: 0o711 });
      process.env.OVERHEAD_ATTEST_NODE_ARGS = [env.PROFILE_NODE_ARGS ?? '', nodeArgs].join(' ');
      instances.push({ name, instance: await startAttest({ name, repoRoot, workDir: dir, upstreamBaseUrl, env: extra }) });
    };
    await start('A', envOf(env.PROFILE_ENV_A), profiling ? `--cpu-prof --cpu-prof-dir=${profDir}` : '');
    if (withB) {
      if (env.PROFILE_WAIT_FILE) await waitForFile(env.PROFILE_WAIT_FILE);
      await start('B', envOf(env.PROFILE_ENV_B), '');
    }
    for (const { instance } of instances) {
      for (const mode of modes) await runLoad({ name: 'warm-up', baseUrl: instance.baseUrl, path: '/v1/chat/completions', model: 'overhead-pool', headers: { authorization: `Bearer ${instance.apiKey}` } }, { concurrency, mode, prompt, durationS: 3 });
    }
    const samples = new Map<string, Sample[]>();
    let lost = 0;
    for (let round = 0; round < rounds; round++) {
      for (const mode of modes) {
        const order = round % 2 === 0 ? instances : [...instances].reverse();
        for (const { name, instance } of order) {
          const result = await measure(instance, mode);
          lost += result.lost;
          if (name === 'A') windows.push(result.window);
          const key = `${mode} ${name}`;
          samples.set(key, [...(samples.get(key) ?? []), result.sample]);
          const s = result.sample;
          say(`round ${round + 1} ${mode} ${prompt} c=${concurrency} ${name}: ${s.rps.toFixed(0)} req/s, CPU ms/req gateway ${s.gateway.toFixed(2)} + db ${s.database.toFixed(2)}`);
        }
      }
    }
    say(`medians (${rounds} rounds of ${durationS} s; audit events lost or duplicated: ${lost})`);
    for (const [key, list] of samples) {
      const gateway = median(list.map((s) => s.gateway));
      const database = median(list.map((s) => s.database));
      // Also pooled over rounds (total CPU / total requests), which a single disturbed round moves less than a median.
      const requests = list.reduce((sum, s) => sum + s.rps, 0);
      const pooled = (pick: (s: Sample) => number) => list.reduce((sum, s) => sum + pick(s) * s.rps, 0) / Math.max(1, requests);
      say(
        `  ${key}: ${median(list.map((s) => s.rps)).toFixed(0)} req/s, CPU ms/req median gateway ${gateway.toFixed(2)} + db ${database.toFixed(2)} = ${(gateway + database).toFixed(2)}; ` +
          `pooled ${pooled((s) => s.gateway).toFixed(2)} + ${pooled((s) => s.database).toFixed(2)} = ${pooled((s) => s.gateway + s.database).toFixed(2)}`,
      );
    }
  } finally {
    await Promise.allSettled(instances.map(({ instance }) => instance.stop()));
    await upstream.stop();
  }
  if (profiling) {
    for (const file of readdirSync(profDir)) say(summariseProfile(join(profDir, file), windows));
  }
  if (env.PROFILE_KEEP === '1') say(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
