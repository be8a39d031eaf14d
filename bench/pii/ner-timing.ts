// NER cost per pass, with and without compromise's grammar pass side by side in one process (the machine is shared and
// noisy), and how many texts that pass tags differently (the accuracy effect is in evaluate.ts).
// Run: node scripts/run-ts.cjs bench/pii/ner-timing.ts [path/to/synth_dataset_v2.json]
import { join, resolve } from 'node:path';
import { CompromiseNamedEntityRecognizer } from '../../libs/pii/src/core/recognizers/compromise.ner';
import { COMPROMISE_PASSES, nlp } from '../../libs/pii/src/core/recognizers/compromise-nlp';
import { generateNegatives, loadPresidioDataset } from './dataset';

const datasetPath = resolve(process.argv[2] ?? join(__dirname, '../../../shared/data/presidio-research/synth_dataset_v2.json'));
const sentences = loadPresidioDataset(datasetPath).scored.map((record) => record.text);
const prompts = Array.from({ length: Math.ceil(sentences.length / 20) }, (_, index) => sentences.slice(index * 20, index * 20 + 20).join('\n'));

type Tagger = (text: string) => unknown;
interface Term {
  text: string;
  tags?: Set<string>;
  offset?: { start: number };
}
/** What the recognizer asks of compromise: tagged terms with their offsets. */
const parse = (text: string): Term[][] => {
  const document = nlp(text);
  document.compute('offset');
  return document.docs as unknown as Term[][];
};
const tags = (text: string): string =>
  JSON.stringify(parse(text).map((terms) => terms.map((term) => [term.text, term.offset?.start, [...(term.tags ?? [])].sort()])));

const world = nlp.world() as unknown as { hooks: string[] };
const shipped = world.hooks;
const withGrammarPass = <T>(run: () => T): T => {
  world.hooks = [...COMPROMISE_PASSES];
  try {
    return run();
  } finally {
    world.hooks = shipped;
  }
};

const texts = [...sentences, ...prompts, ...generateNegatives(1000)];
const differing = texts.filter((text) => tags(text) !== withGrammarPass(() => tags(text)));
process.stdout.write(`the grammar pass changes some tag of ${differing.length} of ${texts.length} texts\n`);

const recognizer = new CompromiseNamedEntityRecognizer();
const variants: Record<string, Tagger> = {
  'tagger with the grammar pass': (text) => withGrammarPass(() => parse(text)),
  'tagger, first pass (shipped)': (text) => parse(text),
  'recognizer with the grammar pass': (text) => withGrammarPass(() => recognizer.recognize(text)),
  'recognizer (shipped)': (text) => recognizer.recognize(text),
};

/** CPU ms per text of one pass over `inputs`. */
function cpuMsPerPass(run: Tagger, inputs: readonly string[]): number {
  const started = process.cpuUsage();
  for (const text of inputs) run(text);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / inputs.length;
}

const rounds = 5;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
for (const [label, inputs] of [['sentences (~85 chars)', sentences], ['prompts (~1.7 KB)', prompts]] as const) {
  const samples = new Map(Object.keys(variants).map((name) => [name, [] as number[]]));
  for (const run of Object.values(variants)) cpuMsPerPass(run, inputs); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) samples.get(name)?.push(cpuMsPerPass(run, inputs));
  }
  process.stdout.write(`CPU ms per pass over ${inputs.length} ${label}, median of ${rounds} alternating rounds:\n`);
  for (const [name, values] of samples) process.stdout.write(`  ${name.padEnd(36)} ${median(values).toFixed(3)}\n`);
}
