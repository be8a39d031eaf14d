/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) and sums sampled CPU time by component: each sample is charged to the
 * innermost frame that belongs to a known component (compromise, Cedar, pg, TypeORM, …), so time spent in Node's own
 * code on a library's behalf counts for that library. Optionally restricted to windows of the monotonic clock (the
 * profile's timestamps are CLOCK_MONOTONIC µs, like process.hrtime), and divided by the requests served in them.
 *
 *   node scripts/run-ts.cjs bench/overhead/cpuprofile-summary.ts <file.cpuprofile>
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileWindow {
  label: string;
  startUs: number;
  endUs: number;
  requests: number;
}

/** First match wins, tested against a frame's url (or its function name for V8's pseudo-frames). */
const COMPONENTS: readonly [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['pii: NER (compromise)', /node_modules\/compromise\//],
  ['pii: engine + recognizers', /libs\/pii\//],
  ['policy: Cedar (wasm)', /@cedar-policy|wasm:\/\//],
  ['policy: lib', /libs\/policy\//],
  ['db: pg driver', /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|pgpass)\//],
  ['db: TypeORM', /node_modules\/typeorm\//],
  ['audit lib', /libs\/audit\//],
  ['canonicalize', /node_modules\/(canonicalize|json-canonicalize)/],
  ['OpenTelemetry', /@opentelemetry|require-in-the-middle|import-in-the-middle|shimmer/],
  ['logging (pino)', /node_modules\/(pino|pino-[a-z-]+|sonic-boom|thread-stream)\//],
  ['zod', /node_modules\/zod\//],
  ['prom-client', /node_modules\/prom-client\//],
  ['http client (undici)', /node:internal\/deps\/undici|node_modules\/undici\//],
  ['fastify', /node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio|fast-json-stringify|secure-json-parse|fast-querystring)/],
  ['nestjs', /node_modules\/@nestjs\//],
  ['rxjs', /node_modules\/rxjs\//],
  ['ts-node / swc (module load)', /node_modules\/(ts-node|@swc|tsconfig-paths|source-map-support)/],
  ['libs/inference', /libs\/inference\//],
  ['libs/governance', /libs\/governance\//],
  ['libs/identity', /libs\/identity\//],
  ['libs/registry', /libs\/registry\//],
  ['libs/telemetry', /libs\/telemetry\//],
  ['libs/db', /libs\/db\//],
  ['libs/contracts', /libs\/contracts\//],
  ['apps/gateway', /apps\/gateway\//],
  ['other node_modules', /node_modules\//],
];

function componentOf(frame: CallFrame): string | undefined {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of COMPONENTS) if (pattern.test(key)) return name;
  return undefined;
}

export function summariseProfile(file: string, windows?: ProfileWindow[], topFunctions = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const componentCache = new Map<number, string>();
  const charge = (id: number): string => {
    const cached = componentCache.get(id);
    if (cached) return cached;
    let found: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !found; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) found = componentOf(node.callFrame);
    }
    const name = found ?? 'node core (net, http, streams, timers)';
    componentCache.set(id, name);
    return name;
  };
  const label = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|libs|apps)\//, '$1/')}:${frame.lineNumber + 1}`;
  const componentFrame = (id: number, component: string): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node && componentOf(node.callFrame) === component) return label(node.callFrame);
    }
    const leaf = byId.get(id)?.callFrame;
    return leaf ? label(leaf) : '?';
  };
  const spans = windows ?? [{ label: 'whole profile', startUs: -Infinity, endUs: Infinity, requests: 0 }];
  const lines: string[] = [];
  for (const span of spans) {
    const byComponent = new Map<string, number>();
    const byFunction = new Map<string, number>();
    const byComponentFunction = new Map<string, Map<string, number>>();
    let now = profile.startTime;
    let busy = 0;
    for (let index = 0; index < profile.samples.length; index++) {
      const delta = profile.timeDeltas[index] ?? 0;
      now += delta;
      if (now < span.startUs || now > span.endUs) continue;
      const id = profile.samples[index] ?? 0;
      const component = charge(id);
      byComponent.set(component, (byComponent.get(component) ?? 0) + delta);
      if (component === 'idle') continue;
      busy += delta;
      const frame = byId.get(id)?.callFrame;
      const where = frame ? label(frame) : '?';
      byFunction.set(where, (byFunction.get(where) ?? 0) + delta);
      // The frame that made the call into the component's code: the innermost frame of that component.
      const inner = componentFrame(id, component);
      const functions = byComponentFunction.get(component) ?? new Map<string, number>();
      functions.set(inner, (functions.get(inner) ?? 0) + delta);
      byComponentFunction.set(component, functions);
    }
    const per = span.requests > 0 ? span.requests : 0;
    lines.push(`== ${span.label}: busy ${(busy / 1000).toFixed(0)} ms${per ? `, ${per} requests, ${(busy / 1000 / per).toFixed(2)} ms/req` : ''}`);
    const sorted = [...byComponent.entries()].filter(([name]) => name !== 'idle').sort((a, b) => b[1] - a[1]);
    for (const [name, us] of sorted) {
      const share = ((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5);
      lines.push(`  ${share} %  ${per ? `${(us / 1000 / per).toFixed(2).padStart(6)} ms/req  ` : ''}${name}`);
      const top = [...(byComponentFunction.get(name) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
      for (const [where, fus] of top) lines.push(`             ${((100 * fus) / Math.max(1, us)).toFixed(0).padStart(3)} % of it: ${where}`);
    }
    lines.push('  top functions by self time:');
    for (const [name, us] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, topFunctions)) {
      lines.push(`  ${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)} %  ${name}`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('cpuprofile-summary.ts')) {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile-summary.ts <file.cpuprofile>');
  process.stdout.write(`${summariseProfile(file)}\n`);
}
