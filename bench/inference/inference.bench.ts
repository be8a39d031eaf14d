/**
 * Throughput and time-to-first-token of @attest/inference's runtime against node-llama-cpp called directly on the
 * same model, at concurrency 1, 2, 4 and 8; prompt-prefix cache on vs off; speculative decoding; a LoRA variant.
 *
 *   node scripts/run-ts.cjs bench/inference/inference.bench.ts [--rounds 5] [--max-tokens 128] [--threads 1] [--out FILE]
 *
 * Legs alternate round by round, so a noisy neighbour on a shared machine hurts both alike.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  InferenceRuntime,
  inferenceConfig,
  writeLoraAdapterGguf,
  type InferenceConfig,
  type ModelSpec,
  type SpeculativeDecoding,
} from '@attest/inference';
import { importEsm } from '@attest/util';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };

const root = resolve(__dirname, '../..');
const modelPath = resolve(root, 'models/builtin/stories260k-f32-v3.gguf');
const args = new Map<string, string>();
process.argv.slice(2).forEach((arg, index, all) => {
  if (arg.startsWith('--')) args.set(arg.slice(2), all[index + 1] ?? '');
});
const rounds = Number(args.get('rounds') ?? 5);
const maxTokens = Number(args.get('max-tokens') ?? 128);
const threads = Number(args.get('threads') ?? 1);
const outFile = resolve(root, args.get('out') ?? 'bench/inference/results.json');
const concurrencies = [1, 2, 4, 8];
const contextSize = 512;

/** Distinct short story openings, so concurrent sequences do different work. */
const openings = ['Once upon a time', 'One day, Lily', 'Tom had a big red ball', 'The sun was shining', 'A little dog', 'Sam and his mom', 'There was a tree', 'The cat saw a bird'];
const sharedPrefix = 'Lily and Tom went to the park with their mom. They saw a big tree and a little bird. '.repeat(7);

interface Sample {
  ttftMs: number;
  tokens: number;
}
interface RoundResult {
  wallMs: number;
  /** CPU time of this process (all threads) during the round: robust against neighbours taking the cores. */
  cpuMs: number;
  samples: Sample[];
}
type Runner = (prompts: string[], maxTokens: number) => Promise<RoundResult>;

async function timed(run: (onFirst: () => void) => Promise<number>): Promise<Sample> {
  const start = performance.now();
  let ttftMs = Number.NaN;
  const tokens = await run(() => {
    if (Number.isNaN(ttftMs)) ttftMs = performance.now() - start;
  });
  return { ttftMs, tokens };
}

async function round(prompts: string[], one: (prompt: string, onFirst: () => void) => Promise<number>): Promise<RoundResult> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const samples = await Promise.all(prompts.map((prompt) => timed((onFirst) => one(prompt, onFirst))));
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000, samples };
}

async function directRunner(llama: NodeLlamaCpp.Llama, module: typeof NodeLlamaCpp, sequences: number): Promise<{ run: Runner; dispose: () => Promise<void> }> {
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ contextSize, sequences, threads });
  const slots = Array.from({ length: sequences }, () => {
    const sequence = context.getSequence();
    return { sequence, completion: new module.LlamaCompletion({ contextSequence: sequence }) };
  });
  const run: Runner = (prompts, tokens) =>
    round(prompts, async (prompt, onFirst) => {
      const slot = slots[prompts.indexOf(prompt)];
      if (slot === undefined) throw new Error('one sequence per concurrent prompt');
      const { sequence, completion } = slot;
      const before = sequence.tokenMeter.getState();
      await completion.generateCompletionWithMeta(prompt, {
        maxTokens: tokens,
        temperature: 0,
        repeatPenalty: false,
        disableContextShift: true,
        onTextChunk: onFirst,
      });
      return sequence.tokenMeter.diff(before).usedOutputTokens;
    });
  return { run, dispose: async () => model.dispose() };
}

function runtimeRunner(config: InferenceConfig, spec: ModelSpec): { run: Runner; runtime: InferenceRuntime } {
  const runtime = new InferenceRuntime(config);
  const run: Runner = (prompts, tokens) =>
    round(prompts, async (prompt, onFirst) => {
      const result = await runtime.generate(spec, { prompt, maxTokens: tokens, temperature: 0, onText: onFirst });
      return result.usage.completionTokens;
    });
  return { run, runtime };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (index: number) => sorted[index] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const round2 = (value: number) => Math.round(value * 100) / 100;

function summarise(results: RoundResult[]) {
  const perRound = results.map((r) => r.samples.reduce((sum, s) => sum + s.tokens, 0) / (r.wallMs / 1000));
  const ttfts = results.flatMap((r) => r.samples.map((s) => s.ttftMs));
  const perRoundCpu = results.map((r) => (r.samples.reduce((sum, s) => sum + s.tokens, 0) / r.cpuMs) * 1000);
  return {
    tokensPerSecond: round2(median(perRound)),
    tokensPerCpuSecond: round2(median(perRoundCpu)),
    ttftMsP50: round2(median(ttfts)),
    ttftMsP95: round2(percentile(ttfts, 95)),
    completionTokens: results.reduce((sum, r) => sum + r.samples.reduce((s, x) => s + x.tokens, 0), 0),
  };
}

async function compareLegs(llama: NodeLlamaCpp.Llama, module: typeof NodeLlamaCpp, baseConfig: InferenceConfig) {
  const rows = [];
  for (const concurrency of concurrencies) {
    const prompts = openings.slice(0, concurrency);
    const direct = await directRunner(llama, module, concurrency);
    const spec: ModelSpec = { versionId: `bench-c${concurrency}`, name: 'stories260k', source: { kind: 'local_gguf', path: modelPath } };
    const viaRuntime = runtimeRunner({ ...baseConfig, sequencesPerModel: concurrency }, spec);
    await direct.run(prompts, 8);
    await viaRuntime.run(prompts, 8);
    const directRounds: RoundResult[] = [];
    const runtimeRounds: RoundResult[] = [];
    for (let i = 0; i < rounds; i += 1) {
      // Alternate which leg goes first, so warm caches and a neighbour's bursts do not favour one leg.
      if (i % 2 === 0) directRounds.push(await direct.run(prompts, maxTokens));
      runtimeRounds.push(await viaRuntime.run(prompts, maxTokens));
      if (i % 2 === 1) directRounds.push(await direct.run(prompts, maxTokens));
    }
    await direct.dispose();
    await viaRuntime.runtime.close();
    const d = summarise(directRounds);
    const r = summarise(runtimeRounds);
    rows.push({
      concurrency,
      direct: d,
      runtime: r,
      ratioTokensPerSecond: round2(r.tokensPerSecond / d.tokensPerSecond),
      ratioTokensPerCpuSecond: round2(r.tokensPerCpuSecond / d.tokensPerCpuSecond),
    });
    process.stdout.write(
      `concurrency ${concurrency}: direct ${d.tokensPerSecond} tok/s (${d.tokensPerCpuSecond}/cpu-s), runtime ${r.tokensPerSecond} tok/s (${r.tokensPerCpuSecond}/cpu-s)\n`,
    );
  }
  return rows;
}

async function comparePrefixCache(baseConfig: InferenceConfig) {
  const rows = [];
  for (const concurrency of [1, 4]) {
    const prompts = openings.slice(0, concurrency).map((opening) => `${sharedPrefix}${opening}`);
    const legs = [true, false].map((prefixCache) => ({
      prefixCache,
      ...runtimeRunner(
        { ...baseConfig, sequencesPerModel: concurrency, prefixCache },
        { versionId: `prefix-${prefixCache}-${concurrency}`, name: 'stories260k', source: { kind: 'local_gguf', path: modelPath } },
      ),
      rounds: [] as RoundResult[],
    }));
    for (const leg of legs) await leg.run(prompts, 8);
    for (let i = 0; i < rounds; i += 1) {
      for (const leg of i % 2 === 0 ? legs : [...legs].reverse()) leg.rounds.push(await leg.run(prompts, 32));
    }
    const [on, off] = [summarise(legs[0]?.rounds ?? []), summarise(legs[1]?.rounds ?? [])];
    const spec: ModelSpec = { versionId: `prefix-true-${concurrency}`, name: 'stories260k', source: { kind: 'local_gguf', path: modelPath } };
    const promptTokens = (await legs[0]?.runtime.countTokens(spec, prompts[0] ?? '')) ?? 0;
    for (const leg of legs) await leg.runtime.close();
    rows.push({ concurrency, promptTokens, maxTokens: 32, cacheOn: on, cacheOff: off, ttftSpeedup: round2(off.ttftMsP50 / on.ttftMsP50) });
    process.stdout.write(`prefix cache, concurrency ${concurrency}: TTFT p50 on ${on.ttftMsP50} ms, off ${off.ttftMsP50} ms\n`);
  }
  return rows;
}

const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. ';
const quotingPrompt = `${story}${story}${story}Once upon a time,`;

/** Plain decoding vs input lookup vs a draft model (the same file: an upper bound on draft agreement), concurrency 1. */
async function compareSpeculative(baseConfig: InferenceConfig) {
  const variants: [string, SpeculativeDecoding | undefined][] = [
    ['plain', undefined],
    ['input_lookup', { kind: 'input_lookup', maxTokens: 4 }],
    ['draft_model', { kind: 'draft_model', path: modelPath, maxTokens: 4 }],
  ];
  const legs = variants.map(([name, speculative]) => {
    const spec: ModelSpec = { versionId: `spec-${name}`, name, source: { kind: 'local_gguf', path: modelPath, ...(speculative ? { speculative } : {}) } };
    return { name, spec, ...runtimeRunner({ ...baseConfig, sequencesPerModel: 1 }, spec), rounds: [] as RoundResult[] };
  });
  for (const leg of legs) await leg.run([quotingPrompt], 8);
  for (let i = 0; i < rounds; i += 1) {
    for (const leg of i % 2 === 0 ? legs : [...legs].reverse()) leg.rounds.push(await leg.run([quotingPrompt], maxTokens));
  }
  const rows = legs.map((leg) => ({
    decoding: leg.name,
    ...summarise(leg.rounds),
    tokenPredictions: leg.runtime.stats().loadedModels[0]?.tokenPredictions ?? null,
  }));
  for (const leg of legs) await leg.runtime.close();
  for (const row of rows) process.stdout.write(`speculative ${row.decoding}: ${row.tokensPerSecond} tok/s\n`);
  return rows;
}

/** A LoRA variant beside its base model: one copy of the weights, and what the adapter costs per token. */
async function compareLora(baseConfig: InferenceConfig) {
  const adapter = resolve(root, 'tmp/bench-inference-lora.gguf');
  await mkdir(dirname(adapter), { recursive: true });
  const targets = [0, 1, 2, 3, 4].map((block) => ({ tensor: `blk.${block}.ffn_down.weight`, inputs: 172, outputs: 64 }));
  await writeLoraAdapterGguf(adapter, { architecture: 'llama', rank: 8, alpha: 8, seed: 7, magnitude: 0.3, targets });
  const runtime = new InferenceRuntime({ ...baseConfig, sequencesPerModel: 1 });
  const base: ModelSpec = { versionId: 'lora-base', name: 'base', source: { kind: 'local_gguf', path: modelPath } };
  const variant: ModelSpec = { versionId: 'lora-variant', name: 'variant', source: { kind: 'local_gguf', path: modelPath, loraAdapters: [{ path: adapter }] } };
  const legs = [base, variant].map((spec) => ({ spec, rounds: [] as RoundResult[] }));
  const run = (spec: ModelSpec) =>
    round(openings.slice(0, 1), async (prompt, onFirst) => (await runtime.generate(spec, { prompt, maxTokens, temperature: 0, onText: onFirst })).usage.completionTokens);
  for (const leg of legs) await run(leg.spec);
  for (let i = 0; i < rounds; i += 1) for (const leg of i % 2 === 0 ? legs : [...legs].reverse()) leg.rounds.push(await run(leg.spec));
  const stats = runtime.stats();
  await runtime.close();
  const [baseRow, variantRow] = legs.map((leg) => summarise(leg.rounds));
  process.stdout.write(`lora: base ${baseRow?.tokensPerSecond} tok/s, variant ${variantRow?.tokensPerSecond} tok/s, weight files ${stats.loadedWeightFiles.length}\n`);
  return { versionsLoaded: stats.loadedModels.length, weightFilesLoaded: stats.loadedWeightFiles.length, base: baseRow, variant: variantRow, adapter: { rank: 8, tensors: targets.length } };
}

async function main(): Promise<void> {
  const module = await importEsm<typeof NodeLlamaCpp>('node-llama-cpp');
  const llama = await module.getLlama({ gpu: false, build: 'never', maxThreads: threads, logLevel: module.LlamaLogLevel.error });
  const baseConfig: InferenceConfig = { ...inferenceConfig.load({}), threads, contextSize, maxQueue: 64 };
  process.stdout.write(`load average before the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const runtimeVsDirect = await compareLegs(llama, module, baseConfig);
  const prefixCache = await comparePrefixCache(baseConfig);
  const speculative = await compareSpeculative(baseConfig);
  const lora = await compareLora(baseConfig);
  await llama.dispose();
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, loadAverageAfter: loadavg() },
    model: 'models/builtin/stories260k-f32-v3.gguf',
    settings: { threads, contextSize, maxTokens, rounds, temperature: 0 },
    runtimeVsDirect,
    prefixCache,
    speculative,
    lora,
  };
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results written to ${outFile}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
