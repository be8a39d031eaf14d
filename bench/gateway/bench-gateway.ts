/**
 * What both gateway benchmarks set up: the whole gateway on a temporary embedded PostgreSQL, an API key and the
 * official `openai` client for it, and the model (the 28M-parameter synthetic one registered, approved by a second
 * person and promoted as an operator would; or the built-in demo model), plus node-llama-cpp loaded on its own for the
 * direct leg with the same context settings.
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

export type NodeLlamaCppModule = typeof NodeLlamaCpp;
export type LlamaContext = NodeLlamaCpp.LlamaContext;

export const demoModelPath = join(__dirname, '..', '..', 'models', 'builtin', 'stories260k-f32-v3.gguf');
export const syntheticShape: SyntheticShape = { embedding: 512, layers: 8, feedForward: 1536, heads: 8, kvHeads: 8, seed: 7 };
export const openings = ['Once upon a time', 'The little dog', 'One sunny day', 'Tom and Sue', 'In a big forest', 'The cat said', 'A small bird', 'Lily had a ball'];

export interface BenchSettings {
  synthetic: boolean;
  sequences: number;
  contextSize: number;
}

export interface BenchGateway {
  gateway: Awaited<ReturnType<typeof startGateway>>;
  client: OpenAI;
  modelName: string;
  modelPath: string;
  parameters: number;
  /** node-llama-cpp on its own, for the direct leg: one thread, the gateway's sequences and context size. */
  directContext(): Promise<{ module: NodeLlamaCppModule; context: LlamaContext }>;
  stop(): Promise<void>;
}

export async function startBenchGateway(settings: BenchSettings): Promise<BenchGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-bench-'));
  // The modules read their settings from process.env (startGateway's argument reaches only the server and database
  // settings): set them there, or the gateway would run its default 4 sequences against the direct leg's 8.
  Object.assign(process.env, {
    PORT: '0',
    HOST: '127.0.0.1',
    ATTEST_DATA_DIR: dataDir,
    ATTEST_LOG_LEVEL: 'warn',
    ATTEST_LLAMA_THREADS: '1',
    ATTEST_LLAMA_SEQUENCES: String(settings.sequences),
    ATTEST_LLAMA_CONTEXT_SIZE: String(settings.contextSize),
  });
  const gateway = await startGateway(process.env);
  const { key } = await gateway.app.get(ApiKeyService).create({ name: 'bench', roles: ['developer'] }, CLI_ACTOR);
  const client = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  let modelPath = demoModelPath;
  let modelName = 'stories260k';
  let parameters = 260_000;
  if (settings.synthetic) {
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
  const disposals: (() => Promise<void>)[] = [];
  return {
    gateway,
    client,
    modelName,
    modelPath,
    parameters,
    async directContext() {
      const module = await importEsm<NodeLlamaCppModule>('node-llama-cpp');
      const llama = await module.getLlama({ gpu: false, build: 'never', maxThreads: 1, logger: () => undefined, progressLogs: false });
      const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
      disposals.push(() => model.dispose());
      return { module, context: await model.createContext({ contextSize: settings.contextSize, sequences: settings.sequences, threads: 1 }) };
    },
    async stop() {
      for (const dispose of disposals) await dispose();
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `--name value` pairs of the command line (what every benchmark here takes). */
export function benchArgs(): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]?.replace(/^--/, '') ?? '', process.argv[i + 1] ?? '');
  return args;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
export const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Writes a run's figures with when and where they were taken. */
export function writeReport(out: string, figures: Record<string, unknown>): void {
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg().map(round2), node: process.version };
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

/** Runs a benchmark and exits (the gateway's pools would keep the process alive), with its error on failure. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
