// Lists the misses and false alarms of one entity type on presidio-research's set, for tuning recognizers.
// Run: node scripts/run-ts.cjs bench/pii/inspect.ts PERSON [split] [path/to/synth_dataset_v2.json]
// split: tune (default: the half recognizers are tuned on), heldOut, evenIndex, oddIndex or all. Look only at `tune`
// while tuning, so the held-out figures stay honest.
import { join, resolve } from 'node:path';
import { createPiiEngine } from '@attest/pii';
import { loadPresidioDataset, splits, type SplitName } from './dataset';
import { characterIou } from './scoring';

const wanted = process.argv[2] ?? 'PERSON';
const splitName = process.argv[3] ?? 'tune';
if (splitName !== 'all' && !(splitName in splits)) throw new Error(`unknown split ${splitName}`);
const inSplit = (record: Parameters<(typeof splits)[SplitName]>[0], index: number): boolean =>
  splitName === 'all' || splits[splitName as SplitName](record, index);
const datasetPath = resolve(process.argv[4] ?? join(__dirname, '../../../shared/data/presidio-research/synth_dataset_v2.json'));
const { scored, ignored } = loadPresidioDataset(datasetPath);
const engine = createPiiEngine();
const quote = (text: string, start: number, end: number): string => JSON.stringify(text.slice(Math.max(0, start - 30), end + 10));

scored.forEach((record, index) => {
  if (!inSplit(record, index)) return;
  const predicted = engine.analyze(record.text);
  for (const gold of record.spans.filter((span) => span.type === wanted)) {
    if (predicted.some((finding) => finding.type === wanted && characterIou(finding, gold) >= 0.9)) continue;
    const near = predicted.filter((finding) => finding.start < gold.end && gold.start < finding.end);
    const seen = near.map((finding) => `${finding.type}[${record.text.slice(finding.start, finding.end)}]`).join(' ');
    process.stdout.write(`MISS ${quote(record.text, gold.start, gold.end)} => ${JSON.stringify(record.text.slice(gold.start, gold.end))} ${seen}\n`);
  }
  for (const finding of predicted.filter((candidate) => candidate.type === wanted)) {
    const right = record.spans.some((gold) => gold.type === wanted && characterIou(finding, gold) >= 0.9);
    const unscored = (ignored[index]?.spans ?? []).some((span) => finding.start < span.end && span.start < finding.end);
    if (right || unscored) continue;
    const value = record.text.slice(finding.start, finding.end);
    process.stdout.write(`FALSE ${quote(record.text, finding.start, finding.end)} => ${JSON.stringify(value)} ${finding.score.toFixed(2)}\n`);
  }
});
