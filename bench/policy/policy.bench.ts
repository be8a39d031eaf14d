/**
 * Decisions per second and per-decision latency of @attest/policy's engine (bundle parsed once, per-request entity
 * mapping included) with the shipped policies and with 1,000 generated policies added, against cedar-wasm's
 * stateless isAuthorized that re-parses the policy text on every call.
 *
 *   node scripts/run-ts.cjs bench/policy/policy.bench.ts [--decisions 20000] [--out bench/policy/results.json]
 *
 * Requests are the ones in policies/tests (allows and denies, users and services, inference and admin), cycled. The
 * slower legs run a tenth (1,000 policies) and a fortieth (re-parsing) of the decisions.
 */
import { cedar } from '../../libs/policy/src/core/cedar';
import { toCedarRequest } from '../../libs/policy/src/core/request-mapper';
import { loadPolicyTests, PolicyBundle, PolicyEngine, type PolicyRequest } from '@attest/policy';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const decisions = Number(args.get('decisions') ?? 20_000);
const outFile = resolve(root, args.get('out') ?? 'bench/policy/results.json');

/** 1,000 policies of the kinds an enterprise accumulates: per-model group gates, per-team caps, per-tenant hours. */
function generatedPolicies(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        lines.push(`@id("gen.model-${i}-group") forbid (principal, action in Action::"inference", resource is Model) when { resource.name == "model-${i}" } unless { principal in Group::"team-${i}" };`);
        break;
      case 1:
        lines.push(`@id("gen.team-${i}-cap") @obligation("max_tokens:${512 + i}") permit (principal in Group::"team-${i}", action in Action::"inference", resource is Model);`);
        break;
      case 2:
        lines.push(`@id("gen.tenant-${i}-hours") forbid (principal, action in Action::"inference", resource is Model) when { principal.tenant == "tenant-${i}" && context has localMinute && context.localMinute > 1200 };`);
        break;
      default:
        lines.push(`@id("gen.domain-${i}-pii") @obligation("redact:PERSON") permit (principal, action in Action::"inference", resource is Model) when { resource.domain == "domain-${i}" && context.piiTypes.contains("PERSON") };`);
    }
  }
  return lines.join('\n');
}

interface LegResult {
  decisions: number;
  decisionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Process CPU time per decision: robust against a busy machine, where wall-clock tails include preemption. */
  cpuMsPerDecision: number;
}

function measure(count: number, requests: readonly PolicyRequest[], decide: (request: PolicyRequest) => unknown): LegResult {
  const requestAt = (i: number): PolicyRequest => requests[i % requests.length] as PolicyRequest;
  for (let i = 0; i < Math.min(2_000, count); i++) decide(requestAt(i)); // warm-up (JIT, wasm tiers)
  const samples = new Float64Array(count);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    decide(requestAt(i));
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  samples.sort();
  const at = (q: number) => round(samples[Math.min(count - 1, Math.floor(q * count))] ?? NaN);
  return { decisions: count, decisionsPerSecond: Math.round((count / wallMs) * 1000), p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1), cpuMsPerDecision: round((cpu.user + cpu.system) / 1000 / count) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = work();
  return { value, ms: round(Number(process.hrtime.bigint() - t0) / 1e6) };
}

async function main(): Promise<void> {
  const shipped = await PolicyBundle.fromDirectory(join(root, 'policies'));
  const requests = (await loadPolicyTests(join(root, 'policies', 'tests'))).map((test) => test.request);
  const large = PolicyBundle.fromFiles({ ...shipped.files, 'generated.cedar': generatedPolicies(1_000) });

  const shippedLoad = timed(() => shipped.compile());
  const largeLoad = timed(() => large.compile());
  for (const bundle of [shipped, large]) if (bundle.validate().length > 0) throw new Error(bundle.validate().join('\n'));

  const shippedEngine = new PolicyEngine(shipped);
  const largeEngine = new PolicyEngine(large);
  const allowed = requests.filter((request) => shippedEngine.decide(request).decision === 'allow').length;

  // The anti-pattern the engine avoids: hand Cedar the policy and schema text on every call.
  const shapes = shipped.compile().shapes;
  if (!shapes) throw new Error('shipped bundle has no schema');
  const policyText = Object.entries(shipped.files).filter(([path]) => path.endsWith('.cedar')).map(([, text]) => text).join('\n');
  const schemaText = shipped.files['attest.cedarschema'] ?? '';
  const reparse = (request: PolicyRequest) => {
    try {
      return cedar.isAuthorized({ ...toCedarRequest(request, shapes), policies: { staticPolicies: policyText }, schema: schemaText, validateRequest: true });
    } catch {
      return undefined; // requests the schema refuses (tests of fail-closed denies)
    }
  };

  const results = {
    benchmark: 'policy decisions',
    command: 'node scripts/run-ts.cjs bench/policy/policy.bench.ts',
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, cedar: cedar.getCedarVersion(), loadAverage1m: round(loadavg()[0] ?? 0) },
    requests: { distinct: requests.length, allowed, denied: requests.length - allowed },
    bundleLoadMs: { shipped: shippedLoad.ms, shippedPlus1000Generated: largeLoad.ms },
    policies: { shipped: shipped.compile().policies.size, shippedPlus1000Generated: large.compile().policies.size },
    shipped: measure(decisions, requests, (request) => shippedEngine.decide(request)),
    shippedPlus1000Generated: measure(Math.max(1_000, Math.floor(decisions / 10)), requests, (request) => largeEngine.decide(request)),
    shippedReparsedPerCall: measure(Math.max(200, Math.floor(decisions / 40)), requests, reparse),
  };
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
