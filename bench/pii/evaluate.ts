// PII engine evaluation: accuracy on presidio-research's synthetic set (+ generated negatives), throughput and
// streaming overhead. Run: node scripts/run-ts.cjs bench/pii/evaluate.ts [path/to/synth_dataset_v2.json]
// Writes bench/pii/results.json and prints a Markdown table. The dataset lives only on dev machines (../shared/data).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createPiiEngine, defaultStreamLimits, type PiiEngine } from '@attest/pii';
import { generateNegatives, loadPresidioDataset, splits, type SplitName } from './dataset';
import { SpanScorer, type TypeScore } from './scoring';

const datasetPath = resolve(process.argv[2] ?? join(__dirname, '../../../shared/data/presidio-research/synth_dataset_v2.json'));
const structured = ['EMAIL_ADDRESS', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS', 'PHONE_NUMBER'];

type ScoreResult = ReturnType<SpanScorer['result']>;

function evaluateAccuracy(engine: PiiEngine): {
  dataset: ScoreResult;
  splits: Record<SplitName, ScoreResult>;
  negatives: ScoreResult;
  negativeTexts: number;
} {
  const { scored, ignored } = loadPresidioDataset(datasetPath);
  const scorer = new SpanScorer();
  const splitNames = Object.keys(splits) as SplitName[];
  const splitScorers = new Map(splitNames.map((name) => [name, new SpanScorer()]));
  scored.forEach((record, index) => {
    const predicted = engine.analyze(record.text);
    const unscored = ignored[index]?.spans ?? [];
    scorer.add(record.spans, unscored, predicted);
    for (const name of splitNames) {
      if (splits[name](record, index)) splitScorers.get(name)?.add(record.spans, unscored, predicted);
    }
  });
  const negatives = new SpanScorer();
  const negativeTexts = generateNegatives(1000);
  for (const text of negativeTexts) negatives.addNegative(engine.analyze(text, { entities: structured }));
  const splitResults = Object.fromEntries(splitNames.map((name) => [name, splitScorers.get(name)?.result()])) as Record<SplitName, ScoreResult>;
  return { dataset: scorer.result(), splits: splitResults, negatives: negatives.result(), negativeTexts: negativeTexts.length };
}

/** CPU seconds (user + system) this process spent since `since`: per-core cost even on a busy shared machine. */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

interface Throughput {
  promptChars: number;
  prompts: number;
  charsPerCpuSecond: number;
  megabytesPerCpuSecond: number;
  cpuMsPerPrompt: number;
  wallMsPerPrompt: number;
}

/** Prompt-sized texts (~2 KB) built from the dataset sentences, analysed on one thread; MB per CPU-second. */
function measureThroughput(engine: PiiEngine): Throughput {
  const sentences = loadPresidioDataset(datasetPath).scored.map((record) => record.text);
  const prompts: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    current += `${sentence}\n`;
    if (current.length >= 2000) {
      prompts.push(current);
      current = '';
    }
  }
  for (const prompt of prompts.slice(0, 5)) engine.analyze(prompt); // warm-up
  const wallStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  let chars = 0;
  for (const prompt of prompts) {
    engine.analyze(prompt);
    chars += prompt.length;
  }
  const cpuSeconds = cpuSecondsSince(cpuStarted);
  const wallMs = performance.now() - wallStarted;
  const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    promptChars: Math.round(chars / prompts.length),
    prompts: prompts.length,
    charsPerCpuSecond: Math.round(chars / cpuSeconds),
    megabytesPerCpuSecond: round(Buffer.byteLength(prompts.join(''), 'utf8') / cpuSeconds / 1e6, 3),
    cpuMsPerPrompt: round((cpuSeconds * 1000) / prompts.length, 2),
    wallMsPerPrompt: round(wallMs / prompts.length, 2),
  };
}

/** A streamed answer in 4-character deltas (about one token each): time spent in push() per chunk. */
function measureStreaming(engine: PiiEngine): { chunkChars: number; chunks: number; cpuMsPerChunk: number; wallP99MsPerChunk: number; holdbackChars: number } {
  const answer = loadPresidioDataset(datasetPath).scored.slice(0, 60).map((record) => record.text).join(' ');
  const timings: number[] = [];
  let cpuSeconds = 0;
  for (let round = 0; round < 3; round++) {
    const redactor = engine.createStreamRedactor({ '*': { operator: 'replace' } });
    const cpuStarted = process.cpuUsage();
    for (let index = 0; index < answer.length; index += 4) {
      const started = performance.now();
      redactor.push(answer.slice(index, index + 4));
      if (round > 0) timings.push(performance.now() - started);
    }
    redactor.flush();
    if (round > 0) cpuSeconds += cpuSecondsSince(cpuStarted);
  }
  timings.sort((a, b) => a - b);
  const round3 = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    chunkChars: 4,
    chunks: timings.length,
    cpuMsPerChunk: round3((cpuSeconds * 1000) / timings.length),
    wallP99MsPerChunk: round3(timings[Math.floor(timings.length * 0.99)] ?? 0),
    holdbackChars: defaultStreamLimits.holdback + defaultStreamLimits.batch,
  };
}

function table(perType: Record<string, TypeScore>): string {
  const rows = Object.entries(perType).map(
    ([type, s]) => `| ${type} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} | ${s.f1.toFixed(3)} | ${s.f2.toFixed(3)} | ${s.truePositives} | ${s.falsePositives} | ${s.falseNegatives} |`,
  );
  return ['| type | precision | recall | F1 | F2 | TP | FP | FN |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function main(): void {
  const engine = createPiiEngine();
  const accuracy = evaluateAccuracy(engine);
  const throughput = measureThroughput(engine);
  const throughputWithoutNer = measureThroughput(createPiiEngine({ ner: null }));
  const streaming = measureStreaming(engine);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage1m: loadavg()[0], node: process.version, threads: 1 },
    dataset: { path: 'presidio-research/synth_dataset_v2.json', match: 'same type, character IoU >= 0.9' },
    presidioReference: { vanillaF2: 0.618, vanillaPrecision: 0.685, vanillaRecall: 0.603, tunedF2: 0.845 },
    accuracy: accuracy.dataset,
    splits: accuracy.splits,
    negatives: { texts: accuracy.negativeTexts, falsePositivesByType: accuracy.negatives.perType },
    throughput,
    throughputWithoutNer,
    streaming,
  };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${table(accuracy.dataset.perType)}\n\noverall: ${JSON.stringify(accuracy.dataset.overall)}\n`);
  process.stdout.write(`strict (inside unscored labels = wrong): ${JSON.stringify(accuracy.dataset.strictOverall)}\n`);
  for (const [name, split] of Object.entries(accuracy.splits)) {
    const typeF2 = Object.entries(split.perType).map(([type, s]) => `${type} ${s.precision.toFixed(3)}/${s.recall.toFixed(3)}`).join(', ');
    process.stdout.write(`split ${name}: F2 ${split.overall.f2.toFixed(3)} (P ${split.overall.precision.toFixed(3)}, R ${split.overall.recall.toFixed(3)}); ${typeF2}\n`);
  }
  process.stdout.write(`negatives (${accuracy.negativeTexts} texts): ${JSON.stringify(accuracy.negatives.overall)}\n`);
  process.stdout.write(`throughput: ${JSON.stringify(throughput)}\nwithout NER: ${JSON.stringify(throughputWithoutNer)}\n`);
  process.stdout.write(`streaming: ${JSON.stringify(streaming)}\nload average: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores\n`);
}

main();
