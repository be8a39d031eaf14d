/**
 * Through the whole governed gateway (HTTP, API key, registry, PII scan, Cedar decision, two committed audit events,
 * output scan, SSE) versus node-llama-cpp called directly in this process, on the same model and settings.
 *
 *   node scripts/run-ts.cjs bench/gateway/gateway.bench.ts [--rounds 15] [--max-tokens 128] [--model synthetic|demo] [--concurrency 1,2,4,8] [--out FILE]
 *
 * `--model synthetic` (default) writes a 28M-parameter model of seeded random weights with the demo's tokenizer
 * (synthetic-model.ts) and registers it as an operator would (registered, approved by a second person, promoted): a
 * model whose tokens cost what a small real model's do on a CPU. `--model demo` runs the built-in 260K-parameter demo
 * model, which writes a whole answer in ~90 ms, so the governed path's fixed cost per request dominates its ratio.
 * Results go to results-synthetic.json, or results.json for the demo model.
 */
import { seededRandom } from '@attest/inference';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { benchArgs, type LlamaContext, type NodeLlamaCppModule, median, openings, round2, runBench, startBenchGateway, syntheticShape, writeReport } from './bench-gateway';

const args = benchArgs();
const rounds = Number(args.get('rounds') ?? 15);
const maxTokens = Number(args.get('max-tokens') ?? 128);
const synthetic = (args.get('model') ?? 'synthetic') === 'synthetic';
const out = args.get('out') ?? join(__dirname, synthetic ? 'results-synthetic.json' : 'results.json');
const concurrencies = (args.get('concurrency') ?? '1,2,4,8').split(',').map(Number);
const sequences = 8;
const contextSize = 512;

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

function directLeg(module: NodeLlamaCppModule, context: LlamaContext): Leg {
  const slots = Array.from({ length: sequences }, () => {
    const sequence = context.getSequence();
    return { sequence, completion: new module.LlamaCompletion({ contextSequence: sequence }) };
  });
  return (prompts) =>
    round(prompts, async (prompt, index, onFirst) => {
      const slot = slots[index];
      if (!slot) throw new Error('one sequence per concurrent prompt');
      const before = slot.sequence.tokenMeter.getState();
      await slot.completion.generateCompletionWithMeta(prompt, { maxTokens, temperature: 0, repeatPenalty: false, disableContextShift: true, onTextChunk: onFirst });
      return slot.sequence.tokenMeter.diff(before).usedOutputTokens;
    });
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

const tokensOf = (r: RoundResult) => r.samples.reduce((sum, s) => sum + s.tokens, 0);
const tokensPerSecondOf = (r: RoundResult) => tokensOf(r) / (r.wallMs / 1000);

/**
 * A 90 % interval for the median of the paired ratios: the percentile bootstrap over the rounds, seeded so that a run's
 * figures can be recomputed. With the ±0.1 spread of single rounds on a shared machine, this says how far the median
 * itself may be off, which a single figure does not.
 */
function medianInterval90(values: number[], resamples = 4000): [number, number] {
  const random = seededRandom(20261206);
  const medians = Array.from({ length: resamples }, () => median(Array.from(values, () => values[Math.floor(random() * values.length)] ?? NaN)));
  medians.sort((a, b) => a - b);
  return [round2(medians[Math.floor(resamples * 0.05)] ?? NaN), round2(medians[Math.floor(resamples * 0.95)] ?? NaN)];
}

function summarise(results: RoundResult[]) {
  return {
    tokensPerSecond: round2(median(results.map(tokensPerSecondOf))),
    tokensPerCpuSecond: round2(median(results.map((r) => (tokensOf(r) / r.cpuMs) * 1000))),
    ttftMsP50: round2(median(results.flatMap((r) => r.samples.map((s) => s.ttftMs)))),
  };
}

async function main(): Promise<void> {
  const bench = await startBenchGateway({ synthetic, sequences, contextSize });
  const { module, context } = await bench.directContext();
  const direct = directLeg(module, context);
  const through = gatewayLeg(bench.client, bench.modelName);
  const rows = [];
  try {
    for (const concurrency of concurrencies) {
      const prompts = openings.slice(0, concurrency);
      await direct(prompts);
      await through(prompts); // warm-up: model load, KV cache
      const directRounds: RoundResult[] = [];
      const gatewayRounds: RoundResult[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate which leg goes first, so drift in the machine's load hits both alike.
        if (i % 2 === 0) {
          directRounds.push(await direct(prompts));
          gatewayRounds.push(await through(prompts));
        } else {
          gatewayRounds.push(await through(prompts));
          directRounds.push(await direct(prompts));
        }
      }
      const d = summarise(directRounds);
      const g = summarise(gatewayRounds);
      // Each round's gateway leg against the direct leg that ran right before or after it: the machine's drift
      // between rounds cancels out of these, which it does not from the ratio of the two legs' medians.
      const paired = gatewayRounds.map((round, i) => tokensPerSecondOf(round) / tokensPerSecondOf(directRounds[i] ?? round));
      // All rounds pooled: every token of a leg over all of its time (long rounds weigh more, single ones less).
      const pooled = (legRounds: RoundResult[]) => legRounds.reduce((sum, r) => sum + tokensOf(r), 0) / legRounds.reduce((sum, r) => sum + r.wallMs, 0);
      const row = {
        concurrency,
        direct: d,
        gateway: g,
        ratioWall: round2(g.tokensPerSecond / d.tokensPerSecond),
        ratioCpu: round2(g.tokensPerCpuSecond / d.tokensPerCpuSecond),
        pairedRatioWall: round2(median(paired)),
        pairedRatioWallInterval90: medianInterval90(paired),
        pooledRatioWall: round2(pooled(gatewayRounds) / pooled(directRounds)),
        pairedRatiosWall: paired.map(round2),
        directTokensPerSecondByRound: directRounds.map((r) => Math.round(tokensPerSecondOf(r))),
        gatewayTokensPerSecondByRound: gatewayRounds.map((r) => Math.round(tokensPerSecondOf(r))),
      };
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    await bench.stop();
  }
  writeReport(out, {
    settings: { rounds, maxTokens, sequences, contextSizePerSequence: contextSize, threads: 1, model: synthetic ? { synthetic: syntheticShape, parameters: bench.parameters } : 'stories260k-f32-v3.gguf', decoding: 'greedy' },
    rows,
  });
}

runBench(main);
