// NER cost per pass, old and new side by side in one process (the machine is shared and noisy), and a check that the
// recognizer's compromise instance tags every text exactly as compromise's full build does.
// Run: node scripts/run-ts.cjs bench/pii/ner-timing.ts [path/to/synth_dataset_v2.json]
import { join, resolve } from 'node:path';
import nlpFull from 'compromise';
import { CompromiseNamedEntityRecognizer } from '../../libs/pii/src/core/recognizers/compromise.ner';
import { compromiseBulkMatch, nlp } from '../../libs/pii/src/core/recognizers/compromise-nlp';
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
const parse = (tagger: typeof nlp | typeof nlpFull, text: string): Term[][] => {
  const document = tagger(text);
  document.compute('offset');
  return document.docs as unknown as Term[][];
};
const tags = (tagger: typeof nlp | typeof nlpFull, text: string): string => {
  const terms = parse(tagger, text);
  return JSON.stringify(terms.map((terms) => terms.map((term) => [term.text, term.offset?.start, [...(term.tags ?? [])].sort()])));
};

const methods = (nlp.world() as unknown as { methods: { one: { bulkMatch: unknown } } }).methods.one;
const fastBulkMatch = methods.bulkMatch;
const withOriginalSweep = <T>(run: () => T): T => {
  methods.bulkMatch = compromiseBulkMatch;
  try {
    return run();
  } finally {
    methods.bulkMatch = fastBulkMatch;
  }
};

const texts = [...sentences, ...prompts, ...generateNegatives(1000)];
const differing = texts.filter((text) => tags(nlpFull, text) !== tags(nlp, text));
process.stdout.write(`tags differ from compromise's full build on ${differing.length} of ${texts.length} texts\n`);
for (const text of differing.slice(0, 3)) process.stdout.write(`  ${JSON.stringify(text)}\n`);

const recognizer = new CompromiseNamedEntityRecognizer();
const variants: Record<string, Tagger> = {
  'tagger: full build (before)': (text) => parse(nlpFull, text),
  'tagger: two build': (text) => withOriginalSweep(() => parse(nlp, text)),
  'tagger: two build + sweep (after)': (text) => parse(nlp, text),
  'recognizer, original sweep': (text) => withOriginalSweep(() => recognizer.recognize(text)),
  'recognizer (after)': (text) => recognizer.recognize(text),
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
