/**
 * Where a streamed token's time goes, gateway vs node-llama-cpp directly: times every native decode and sampling call
 * of both legs' contexts and the main thread's busy time, on the same model and settings as gateway.bench.ts.
 *
 *   node scripts/run-ts.cjs bench/gateway/decode-timeline.ts [--concurrency 1] [--rounds 9] [--spin 0.3] [--ramp true] [--pin true] [--out FILE]
 *
 * Per leg and round: the round's wall time; when the first decode started, when an eighth of the round's tokens had
 * been evaluated (the ramp: admission and the first partial batches), the pace over the middle three quarters (per
 * eighth of the tokens) and the time after the last decode (the response events' commits); the decodes, their mean
 * duration, the mean gap from one decode's end to the next one's start, and from a token's sampling to the next
 * decode; the main thread's busy time per token (event loop utilisation). `--spin MS` adds a third leg, node-llama-cpp directly with MS of JavaScript on the main thread per
 * piece of text (two event-loop turns later, as the gateway's work runs), which shows what such work alone costs the
 * decodes on this machine. `--ramp true` prints each round's first 20 decodes (tokens@start+duration, in ms from the
 * round's start). `--pin true` gives the model's decodes a CPU of their own and everything else the other one
 * (core-pinning.ts; Linux). Medians per leg go to decode-timeline-c<concurrency>[-pinned].json.
 *
 * It reads node-llama-cpp's private binding (`_ctx`, the version is pinned exactly) and the runtime's private model
 * pool to find the gateway's context: a diagnostic, not an interface.
 */
import { InferenceRuntime } from '@attest/inference';
import { join } from 'node:path';
import { performance as nodePerformance } from 'node:perf_hooks';
import { benchArgs, type LlamaContext, median, openings, runBench, startBenchGateway, writeReport } from './bench-gateway';
import { pinModelToItsOwnCore } from './core-pinning';

const args = benchArgs();
const concurrency = Number(args.get('concurrency') ?? 1);
const rounds = Number(args.get('rounds') ?? 9);
const spinMs = args.has('spin') ? Number(args.get('spin')) : undefined;
const showRamp = args.get('ramp') === 'true';
const pin = args.get('pin') === 'true';
const out = args.get('out') ?? join(__dirname, `decode-timeline-c${concurrency}${pin ? '-pinned' : ''}.json`);
const maxTokens = 128;

interface Call { kind: 'decode' | 'sample'; start: number; end: number; tokens: number }
let calls: Call[] = [];
let batchTokens = 0;

/** Times the context's native decodes and samplings from here on. */
function watch(context: LlamaContext): void {
  const holder = context as unknown as { _ctx: Record<string | symbol, unknown> };
  const binding = holder._ctx;
  holder._ctx = new Proxy(binding, {
    get(target, property) {
      const value = target[property];
      if (typeof value !== 'function') return value;
      if (property === 'initBatch') {
        return (size: number) => {
          batchTokens = size;
          return (value as (size: number) => unknown).call(target, size);
        };
      }
      const kind = property === 'decodeBatch' ? 'decode' : property === 'sampleToken' ? 'sample' : undefined;
      if (kind === undefined) return value.bind(target);
      return async (...callArgs: unknown[]) => {
        const start = performance.now();
        const tokens = kind === 'decode' ? batchTokens : 0;
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, callArgs);
        calls.push({ kind, start, end: performance.now(), tokens });
        return result;
      };
    },
  });
}

/** The gateway's context for its one loaded model version (private fields: see the header). */
async function gatewayContext(runtime: InferenceRuntime): Promise<LlamaContext> {
  const pool = (runtime as unknown as { localPool: { versions: Map<string, { model: Promise<{ context: LlamaContext }> }> } }).localPool;
  const [entry] = [...pool.versions.values()];
  if (!entry) throw new Error('the gateway has no model loaded yet');
  return (await entry.model).context;
}

/** When the decode that took the evaluated tokens past `share` of the round's total ended, from the round's start. */
function reached(decodes: readonly Call[], total: number, share: number, roundStart: number): number {
  let done = 0;
  for (const decode of decodes) {
    done += decode.tokens;
    if (done >= total * share) return decode.end - roundStart;
  }
  return NaN;
}

/** The round's decodes in the order they started. */
const decodesInOrder = (): Call[] => calls.filter((call) => call.kind === 'decode').sort((a, b) => a.start - b.start);

function measure(decodes: readonly Call[], roundStart: number, wallMs: number, activeMs: number) {
  const samples = calls.filter((call) => call.kind === 'sample');
  const gaps = decodes.slice(1).map((decode, i) => decode.start - (decodes[i]?.end ?? decode.start));
  const sampleToDecode = samples.flatMap((sample) => {
    const next = decodes.find((decode) => decode.start >= sample.end);
    return next ? [next.start - sample.end] : [];
  });
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const total = decodes.reduce((sum, decode) => sum + decode.tokens, 0);
  const eighth = reached(decodes, total, 1 / 8, roundStart);
  return {
    wallMs,
    firstDecodeMs: (decodes[0]?.start ?? NaN) - roundStart,
    firstEighthMs: eighth,
    // The middle three quarters of the round's tokens, per eighth: the steady pace once every request is in.
    steadyMsPerEighth: (reached(decodes, total, 7 / 8, roundStart) - eighth) / 6,
    afterLastDecodeMs: roundStart + wallMs - (decodes[decodes.length - 1]?.end ?? NaN),
    decodes: decodes.length,
    decodeMs: mean(decodes.map((decode) => decode.end - decode.start)),
    gapMs: mean(gaps),
    sampleToNextDecodeMs: mean(sampleToDecode),
    mainThreadMsPerToken: activeMs / (maxTokens * concurrency),
  };
}
type Measured = ReturnType<typeof measure>;

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

async function main(): Promise<void> {
  const bench = await startBenchGateway({ synthetic: true, sequences: 8, contextSize: 512 });
  const { module, context } = await bench.directContext();
  const completions = Array.from({ length: 8 }, () => new module.LlamaCompletion({ contextSequence: context.getSequence() }));
  const prompts = openings.slice(0, concurrency);
  const direct = (onTextChunk?: () => void) =>
    Promise.all(
      prompts.map((prompt, i) => {
        const completion = completions[i];
        if (!completion) throw new Error('one sequence per concurrent prompt');
        return completion.generateCompletionWithMeta(prompt, { maxTokens, temperature: 0, repeatPenalty: false, disableContextShift: true, ...(onTextChunk ? { onTextChunk } : {}) });
      }),
    );
  const through = () =>
    Promise.all(
      prompts.map(async (prompt) => {
        const stream = await bench.client.completions.create({ model: bench.modelName, prompt, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of stream) void chunk;
      }),
    );
  const legs: [string, () => Promise<unknown>][] = [
    ['direct', () => direct()],
    ['gateway', through],
  ];
  if (spinMs !== undefined) legs.push([`direct + ${spinMs} ms of main-thread work per piece`, () => direct(() => setImmediate(() => setImmediate(() => spin(spinMs))))]);
  const results = new Map<string, Measured[]>();
  try {
    await direct();
    await through(); // loads the model into the gateway
    watch(context);
    watch(await gatewayContext(bench.gateway.app.get(InferenceRuntime)));
    const pinned = pin ? await pinModelToItsOwnCore() : undefined;
    if (pinned) process.stdout.write(`pinned: ${JSON.stringify(pinned)}\n`);
    for (let r = 0; r < rounds; r++) {
      // Rotate the order, so that drift in the machine's load hits every leg alike.
      for (const [label, run] of [...legs.slice(r % legs.length), ...legs.slice(0, r % legs.length)]) {
        calls = [];
        const loop = nodePerformance.eventLoopUtilization();
        const start = performance.now();
        await run();
        const wallMs = performance.now() - start;
        const decodes = decodesInOrder();
        if (showRamp) {
          process.stdout.write(`ramp ${label}: ${decodes.slice(0, 20).map((call) => `${call.tokens}@${(call.start - start).toFixed(0)}+${(call.end - call.start).toFixed(0)}`).join(' ')}\n`);
        }
        results.set(label, [...(results.get(label) ?? []), measure(decodes, start, wallMs, nodePerformance.eventLoopUtilization(loop).active)]);
      }
    }
  } finally {
    await bench.stop();
  }
  const legsOut = [...results].map(([leg, list]) => {
    const medianOf = (key: keyof Measured) => Math.round(median(list.map((m) => m[key])) * 1000) / 1000;
    return Object.fromEntries([['leg', leg], ...Object.keys(list[0] ?? {}).map((key) => [key, medianOf(key as keyof Measured)])]) as Record<keyof Measured, number> & { leg: string };
  });
  for (const leg of legsOut) process.stdout.write(`${JSON.stringify(leg)}\n`);
  writeReport(out, { settings: { concurrency, rounds, maxTokens, spinMs: spinMs ?? null, pinned: pin, model: 'synthetic' }, medians: legsOut });
}

runBench(main);
