/**
 * Through the whole governed gateway (HTTP, API key, registry, PII scan, Cedar decision, two committed audit events,
 * output scan, SSE) versus node-llama-cpp called directly in this process, on the same model and settings.
 *
 *   node scripts/run-ts.cjs bench/gateway/gateway.bench.ts [--rounds 9] [--max-tokens 128] [--model synthetic|demo] [--concurrency 1,2,4,8] [--out FILE]
 *
 * `--model synthetic` (default) writes a 28M-parameter model of seeded random weights with the demo's tokenizer
 * (synthetic-model.ts) and registers it as an operator would (registered, approved by a second person, promoted): a
 * model whose tokens cost what a small real model's do on a CPU. `--model demo` runs the built-in 260K-parameter demo
 * model, which writes a whole answer in ~90 ms, so the governed path's fixed cost per request dominates its ratio.
 * Results go to results-synthetic.json, or results.json for the demo model.
 */
import 'reflect-metadata';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { importEsm } from '@attest/util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { startGateway } from '../../apps/gateway/src/bootstrap/start-gateway';
import { cliActor } from '../../apps/cli/src/commands/models-cli-support';
import { type SyntheticShape, writeSyntheticModel } from './synthetic-model';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]?.replace(/^--/, '') ?? '', process.argv[i + 1] ?? '');
const rounds = Number(args.get('rounds') ?? 9);
const maxTokens = Number(args.get('max-tokens') ?? 128);
const synthetic = (args.get('model') ?? 'synthetic') === 'synthetic';
const out = args.get('out') ?? join(__dirname, synthetic ? 'results-synthetic.json' : 'results.json');
const syntheticShape: SyntheticShape = { embedding: 512, layers: 8, feedForward: 1536, heads: 8, kvHeads: 8, seed: 7 };
const concurrencies = (args.get('concurrency') ?? '1,2,4,8').split(',').map(Number);
const sequences = 8;
const contextSize = 512;
const demoModelPath = join(__dirname, '..', '..', 'models', 'builtin', 'stories260k-f32-v3.gguf');
const openings = ['Once upon a time', 'The little dog', 'One sunny day', 'Tom and Sue', 'In a big forest', 'The cat said', 'A small bird', 'Lily had a ball'];

interface Sample { ttftMs: number; tokens: number }
interface RoundResult { wallMs: number; cpuMs: number; samples: Sample[] }
type Leg = (prompts: string[]) => Promise<RoundResult>;

async function round(prompts: string[], one: (prompt: string, index: number, onFirst: () => void) => Promise<number>): Promise<RoundResult> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const samples = await Promise.all(
    prompts.map(async (prompt, index) => {
      const begun = performance.now();
      let ttftMs = Number.NaN;
      const tokens = await one(prompt, index, () => {
        if (Number.isNaN(ttftMs)) ttftMs = performance.now() - begun;
      });
      return { ttftMs, tokens };
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000, samples };
}

async function directLeg(modelPath: string): Promise<{ leg: Leg; dispose: () => Promise<void> }> {
  const module = await importEsm<typeof NodeLlamaCpp>('node-llama-cpp');
  const llama = await module.getLlama({ gpu: false, build: 'never', maxThreads: 1, logger: () => undefined, progressLogs: false });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ contextSize, sequences, threads: 1 });
  const slots = Array.from({ length: sequences }, () => {
    const sequence = context.getSequence();
    return { sequence, completion: new module.LlamaCompletion({ contextSequence: sequence }) };
  });
  const leg: Leg = (prompts) =>
    round(prompts, async (prompt, index, onFirst) => {
      const slot = slots[index];
      if (!slot) throw new Error('one sequence per concurrent prompt');
      const before = slot.sequence.tokenMeter.getState();
      await slot.completion.generateCompletionWithMeta(prompt, { maxTokens, temperature: 0, repeatPenalty: false, disableContextShift: true, onTextChunk: onFirst });
      return slot.sequence.tokenMeter.diff(before).usedOutputTokens;
    });
  return { leg, dispose: () => model.dispose() };
}

function gatewayLeg(client: OpenAI, model: string): Leg {
  return (prompts) =>
    round(prompts, async (prompt, _index, onFirst) => {
      const stream = await client.completions.create({
        model,
        prompt,
        max_tokens: maxTokens,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      });
      let tokens = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.text) onFirst();
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
      return tokens;
    });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;
const tokensOf = (r: RoundResult) => r.samples.reduce((sum, s) => sum + s.tokens, 0);
const tokensPerSecondOf = (r: RoundResult) => tokensOf(r) / (r.wallMs / 1000);

function summarise(results: RoundResult[]) {
  return {
    tokensPerSecond: round2(median(results.map(tokensPerSecondOf))),
    tokensPerCpuSecond: round2(median(results.map((r) => (tokensOf(r) / r.cpuMs) * 1000))),
    ttftMsP50: round2(median(results.flatMap((r) => r.samples.map((s) => s.ttftMs)))),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-bench-'));
  // The modules read their settings from process.env (startGateway's argument reaches only the server and database
  // settings): set them there, or the gateway would run its default 4 sequences against the direct leg's 8.
  Object.assign(process.env, {
    PORT: '0',
    HOST: '127.0.0.1',
    ATTEST_DATA_DIR: dataDir,
    ATTEST_LOG_LEVEL: 'warn',
    ATTEST_LLAMA_THREADS: '1',
    ATTEST_LLAMA_SEQUENCES: String(sequences),
    ATTEST_LLAMA_CONTEXT_SIZE: String(contextSize),
  });
  const gateway = await startGateway(process.env);
  const { key } = await gateway.app.get(ApiKeyService).create({ name: 'bench', roles: ['developer'] }, CLI_ACTOR);
  const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  let modelPath = demoModelPath;
  let modelName = 'stories260k';
  let parameters = 260_000;
  if (synthetic) {
    modelPath = join(dataDir, 'synthetic.gguf');
    modelName = 'synthetic';
    parameters = await writeSyntheticModel(demoModelPath, modelPath, syntheticShape);
    // What `attest models register --path`, `models approve --as` (a second person) and `models promote` do.
    const registry = gateway.app.get(ModelRegistryService);
    const version = await registry.register({ name: modelName, source: { kind: 'local_gguf', path: modelPath } }, cliActor('bench-registrant', 'default'));
    const ref = { model: version.model, version: version.version };
    await registry.approve(ref, cliActor('bench-approver', 'default'), 'gateway benchmark');
    await registry.promote(ref, cliActor('bench-approver', 'default'));
  }
  const direct = await directLeg(modelPath);
  const through = gatewayLeg(client, modelName);
  const rows = [];
  try {
    for (const concurrency of concurrencies) {
      const prompts = openings.slice(0, concurrency);
      await direct.leg(prompts);
      await through(prompts); // warm-up: model load, KV cache
      const directRounds: RoundResult[] = [];
      const gatewayRounds: RoundResult[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate which leg goes first, so drift in the machine's load hits both alike.
        if (i % 2 === 0) {
          directRounds.push(await direct.leg(prompts));
          gatewayRounds.push(await through(prompts));
        } else {
          gatewayRounds.push(await through(prompts));
          directRounds.push(await direct.leg(prompts));
        }
      }
      const d = summarise(directRounds);
      const g = summarise(gatewayRounds);
      // Each round's gateway leg against the direct leg that ran right before or after it: the machine's drift
      // between rounds cancels out of these, which it does not from the ratio of the two legs' medians.
      const paired = gatewayRounds.map((round, i) => tokensPerSecondOf(round) / tokensPerSecondOf(directRounds[i] ?? round));
      const row = {
        concurrency,
        direct: d,
        gateway: g,
        ratioWall: round2(g.tokensPerSecond / d.tokensPerSecond),
        ratioCpu: round2(g.tokensPerCpuSecond / d.tokensPerCpuSecond),
        pairedRatioWall: round2(median(paired)),
        pairedRatiosWall: paired.map(round2),
      };
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    await direct.dispose();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg().map(round2), node: process.version },
    settings: { rounds, maxTokens, sequences, contextSizePerSequence: contextSize, threads: 1, model: synthetic ? { synthetic: syntheticShape, parameters } : 'stories260k-f32-v3.gguf', decoding: 'greedy' },
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
