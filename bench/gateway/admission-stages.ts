/**
 * How long each governed step before the model takes when a burst of requests arrives at once: the gateway of
 * gateway.bench.ts (same model and settings), N streamed requests sent together, each step of every request timed
 * from its start to its end (an asynchronous step includes its wait for the database and for the event loop).
 *
 *   node scripts/run-ts.cjs bench/gateway/admission-stages.ts [--concurrency 8] [--rounds 8] [--out FILE]
 *
 * Steps: authentication (the API key read), the whole gate (`RequestGateService.admit`), inside it model resolution,
 * the Cedar decision, the quota counters and the audit commits, then the runtime's generation. Per step: the median
 * duration and the median start (ms from the burst's start); and the median time to the first token. Written to
 * admission-stages-c<concurrency>.json. It wraps the services' prototypes: a diagnostic, not an interface.
 */
import { AuditWriter } from '@attest/audit/nest';
import { RequestGateService } from '@attest/governance/nest';
import { InferenceRuntime } from '@attest/inference';
import { AuthenticationService } from '@attest/identity/nest';
import { PolicyEngineProvider, QuotaService } from '@attest/policy/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { join } from 'node:path';
import { benchArgs, median, openings, runBench, startBenchGateway, writeReport } from './bench-gateway';

const args = benchArgs();
const concurrency = Number(args.get('concurrency') ?? 8);
const rounds = Number(args.get('rounds') ?? 8);
const out = args.get('out') ?? join(__dirname, `admission-stages-c${concurrency}.json`);
const maxTokens = 16;

interface Step { name: string; start: number; end: number }
const steps: Step[] = [];

/** Records every call of `method` on `prototype` as a step (until its promise settles, for an asynchronous one). */
function timeCalls(prototype: object, method: string, name: string): void {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`${name}: no method ${method}`);
  target[method] = function (this: unknown, ...callArgs: unknown[]) {
    const start = performance.now();
    const done = () => steps.push({ name, start, end: performance.now() });
    const result = original.apply(this, callArgs);
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
}

async function main(): Promise<void> {
  const bench = await startBenchGateway({ synthetic: true, sequences: 8, contextSize: 512 });
  const prompts = openings.slice(0, concurrency);
  const burst = async () => {
    const start = performance.now();
    const firstTokens = await Promise.all(
      prompts.map(async (prompt) => {
        const stream = await bench.client.completions.create({ model: bench.modelName, prompt, max_tokens: maxTokens, temperature: 0, stream: true });
        let first = Number.NaN;
        for await (const chunk of stream) if (chunk.choices[0]?.text && Number.isNaN(first)) first = performance.now() - start;
        return first;
      }),
    );
    return { start, firstTokens };
  };
  try {
    await burst(); // loads the model
    timeCalls(AuthenticationService.prototype, 'authenticate', 'authenticate');
    timeCalls(RequestGateService.prototype, 'admit', 'gate (all of admission)');
    timeCalls(ModelRegistryService.prototype, 'resolve', 'resolve model');
    timeCalls(Object.getPrototypeOf(bench.gateway.app.get(PolicyEngineProvider).current()) as object, 'decide', 'Cedar decision');
    timeCalls(QuotaService.prototype, 'admit', 'quota counters');
    timeCalls(AuditWriter.prototype, 'record', 'audit commit');
    timeCalls(InferenceRuntime.prototype, 'generate', 'generation');
    const durations = new Map<string, number[]>();
    const starts = new Map<string, number[]>();
    const firstTokenMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      steps.length = 0;
      const { start, firstTokens } = await burst();
      firstTokenMs.push(...firstTokens);
      // The responses' audit commits come after every first token; the requests' own come before their first token.
      const lastFirstToken = Math.max(...firstTokens.filter((ms) => !Number.isNaN(ms)));
      for (const step of steps) {
        const name = step.name === 'audit commit' && step.start - start > lastFirstToken ? 'audit commit (response)' : step.name;
        durations.set(name, [...(durations.get(name) ?? []), step.end - step.start]);
        starts.set(name, [...(starts.get(name) ?? []), step.start - start]);
      }
    }
    const round1 = (value: number) => Math.round(value * 10) / 10;
    const rows = [...durations].map(([step, list]) => ({ step, calls: list.length, medianMs: round1(median(list)), medianStartMs: round1(median(starts.get(step) ?? [])) }));
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    process.stdout.write(`first token p50: ${round1(median(firstTokenMs))} ms\n`);
    writeReport(out, { settings: { concurrency, rounds, maxTokens, model: 'synthetic' }, firstTokenMsP50: round1(median(firstTokenMs)), steps: rows });
  } finally {
    await bench.stop();
  }
}

runBench(main);
