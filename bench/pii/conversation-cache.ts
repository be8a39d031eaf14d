// What the named-entity cache saves on chat traffic: every request of a conversation carries the system prompt and all
// earlier turns again, and each message is analysed. One process, cached and uncached engines alternating rounds.
// Run: node scripts/run-ts.cjs bench/pii/conversation-cache.ts [path/to/synth_dataset_v2.json]   → conversation-cache.json
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createPiiEngine } from '../../libs/pii/src/core/pii-engine';
import { loadPresidioDataset } from './dataset';

const datasetPath = resolve(process.argv[2] ?? join(__dirname, '../../../shared/data/presidio-research/synth_dataset_v2.json'));
const sentences = loadPresidioDataset(datasetPath).scored.map((record) => record.text);
const TURNS = 8;
const CONVERSATIONS = 40;
const ROUNDS = 4;
const SYSTEM_PROMPT = [
  'You are the service assistant of Northwind Health Partners. Answer politely and briefly, in the language of the',
  'question. Never give medical advice; refer clinical questions to the on-call nurse. Escalate complaints to the',
  'patient liaison office in Leeds. Do not repeat identifiers such as NHS numbers, card numbers or addresses back to',
  'the caller. If the caller asks for a human, offer a call-back within one working day.',
].join(' ');

/** Conversation c: user and assistant messages drawn from the dataset, never reused across conversations. */
const conversations = Array.from({ length: CONVERSATIONS }, (_, c) =>
  Array.from({ length: TURNS * 2 }, (_, m) => sentences[(c * TURNS * 2 + m) % sentences.length] as string),
);

/** Every request of every conversation, as the gateway sees it: all messages so far, each analysed. */
function run(engine: ReturnType<typeof createPiiEngine>): { ms: number; requests: number; findings: number } {
  let findings = 0;
  let requests = 0;
  const start = performance.now();
  for (const messages of conversations) {
    for (let turn = 1; turn <= TURNS; turn++) {
      const sent = [SYSTEM_PROMPT, ...messages.slice(0, turn * 2 - 1)];
      for (const text of sent) findings += engine.analyze(text).length;
      requests++;
    }
  }
  return { ms: performance.now() - start, requests, findings };
}

const figures: { cached: number[]; uncached: number[] } = { cached: [], uncached: [] };
let check: { cached?: number; uncached?: number } = {};
for (let round = 0; round < ROUNDS; round++) {
  // Fresh engines each round, so the cached one starts empty as a restarted gateway does.
  for (const mode of round % 2 === 0 ? (['cached', 'uncached'] as const) : (['uncached', 'cached'] as const)) {
    const result = run(createPiiEngine({ nerCacheEntries: mode === 'cached' ? 4_096 : 0 }));
    figures[mode].push(result.ms / result.requests);
    check = { ...check, [mode]: result.findings };
  }
}
if (check.cached !== check.uncached) throw new Error(`the cache changed the findings: ${JSON.stringify(check)}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round2 = (value: number) => Math.round(value * 100) / 100;
const result = {
  measuredAt: new Date().toISOString(),
  loadavg1: loadavg()[0],
  settings: { conversations: CONVERSATIONS, turns: TURNS, rounds: ROUNDS, systemPromptChars: SYSTEM_PROMPT.length },
  msPerRequest: { cached: round2(median(figures.cached)), uncached: round2(median(figures.uncached)) },
  all: { cached: figures.cached.map(round2), uncached: figures.uncached.map(round2) },
  ratio: round2(median(figures.cached) / median(figures.uncached)),
  findingsPerRun: check.cached,
};
writeFileSync(join(__dirname, 'conversation-cache.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
