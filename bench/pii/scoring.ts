import { type PiiFinding } from '@attest/pii';
import { type LabelledText } from './dataset';

export interface TypeScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
  f2: number;
}

/** Character intersection over union of two spans. */
export function characterIou(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const intersection = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union === 0 ? 0 : intersection / union;
}

/** F-beta: beta 2 weighs recall four times as much as precision, as presidio-research reports it. */
export function fBeta(precision: number, recall: number, beta: number): number {
  const weight = beta * beta;
  return precision + recall === 0 ? 0 : ((1 + weight) * precision * recall) / (weight * precision + recall);
}

/** Tallies one text: a prediction is right when a gold span of the same type overlaps it at IoU >= 0.9. */
export class SpanScorer {
  private readonly counts = new Map<string, { tp: number; fp: number; fn: number }>();
  /** Predictions inside unscored labels (street addresses, titles...): not counted, but reported. */
  overlapsWithUnscored = 0;

  add(gold: LabelledText['spans'], ignored: LabelledText['spans'], predicted: readonly PiiFinding[]): void {
    const matched = new Set<number>();
    for (const prediction of predicted) {
      const hit = gold.findIndex(
        (span, index) => !matched.has(index) && span.type === prediction.type && characterIou(span, prediction) >= 0.9,
      );
      if (hit >= 0) {
        matched.add(hit);
        this.tally(prediction.type).tp++;
      } else if (ignored.some((span) => prediction.start < span.end && span.start < prediction.end)) {
        this.overlapsWithUnscored++;
      } else {
        this.tally(prediction.type).fp++;
      }
    }
    gold.forEach((span, index) => {
      if (!matched.has(index)) this.tally(span.type).fn++;
    });
  }

  addNegative(predicted: readonly PiiFinding[]): void {
    for (const prediction of predicted) this.tally(prediction.type).fp++;
  }

  result(): { perType: Record<string, TypeScore>; overall: TypeScore; strictOverall: TypeScore; overlapsWithUnscored: number } {
    const perType: Record<string, TypeScore> = {};
    const total = { tp: 0, fp: 0, fn: 0 };
    for (const [type, count] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      perType[type] = score(count);
      total.tp += count.tp;
      total.fp += count.fp;
      total.fn += count.fn;
    }
    // Strict: every prediction inside an unscored label counts as a false positive, as a token-level scorer would.
    const strictOverall = score({ ...total, fp: total.fp + this.overlapsWithUnscored });
    return { perType, overall: score(total), strictOverall, overlapsWithUnscored: this.overlapsWithUnscored };
  }

  private tally(type: string): { tp: number; fp: number; fn: number } {
    let count = this.counts.get(type);
    if (!count) {
      count = { tp: 0, fp: 0, fn: 0 };
      this.counts.set(type, count);
    }
    return count;
  }
}

function score({ tp, fp, fn }: { tp: number; fp: number; fn: number }): TypeScore {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: round(precision),
    recall: round(recall),
    f1: round(fBeta(precision, recall, 1)),
    f2: round(fBeta(precision, recall, 2)),
  };
}
