import { applyOperators } from '../operators/apply-operators';
import { type PseudonymVault } from '../operators/pseudonym-vault';
import { type AppliedOperator, type OperatorPolicy, type PiiFinding } from '../pii.types';

/** Limits of the hold-back window, in UTF-16 code units. */
export interface StreamLimits {
  /** Characters always held back: longer than any entity that contains spaces (names, grouped IBANs, dates). */
  holdback: number;
  /** Already-emitted characters kept (not re-emitted) so context words and split entities are still seen. */
  context: number;
  /** A run without whitespace (e-mail, URL, token) is held whole up to this length. */
  maxToken: number;
  /** An unterminated `-----BEGIN ... PRIVATE KEY-----` block is held up to this length. */
  maxBlock: number;
  /**
   * Analysis runs once this many characters beyond the hold-back have arrived, not on every token: each analysis
   * reads the whole window, so batching divides the per-chunk cost at the price of a few characters of latency.
   */
  batch: number;
}

export const defaultStreamLimits: StreamLimits = { holdback: 64, context: 64, maxToken: 4_096, maxBlock: 20_000, batch: 24 };

const blockBegin = '-----BEGIN';
const blockEnd = '-----END';

/**
 * Redacts a streamed answer chunk by chunk. It never emits a character that might still turn out to be part of PII:
 * the last `holdback` characters, a whitespace-free run that reaches the end, an unterminated key block and any
 * finding crossing the cut stay buffered. The buffer is bounded: past `maxToken`/`maxBlock` the held text is emitted
 * with whatever is detected in it transformed, so the whole answer is never buffered.
 *
 * @example
 * const redactor = engine.createStreamRedactor({ '*': { operator: 'replace' } });
 * for await (const delta of model) send(redactor.push(delta));
 * send(redactor.flush());
 */
export class StreamRedactor {
  private pending = '';
  private emittedTail = '';
  /** `pending` length at which the next analysis runs, after one that could release nothing. */
  private nextAnalysisAt = 0;
  private readonly appliedSoFar: AppliedOperator[] = [];

  constructor(
    private readonly analyze: (text: string) => PiiFinding[],
    private readonly policy: OperatorPolicy,
    private readonly vault: PseudonymVault,
    private readonly limits: StreamLimits = defaultStreamLimits,
  ) {
    if (limits.holdback < 1 || limits.batch < 1 || limits.maxToken < limits.holdback) {
      throw new RangeError('stream limits: holdback and batch must be positive and maxToken >= holdback');
    }
  }

  /** Operators applied so far (types and operator names only). */
  get applied(): readonly AppliedOperator[] {
    return this.appliedSoFar;
  }

  /** Characters received but not yet emitted. */
  get held(): number {
    return this.pending.length;
  }

  /** Adds a chunk; returns the redacted text that is safe to send now (possibly empty). */
  push(chunk: string): string {
    this.pending += chunk;
    if (this.pending.length < Math.max(this.limits.holdback + this.limits.batch, this.nextAnalysisAt)) return '';
    const findings = this.findingsInPending();
    const cut = this.safeCut(findings);
    // Nothing could be released (a long unbroken token is held whole): wait for another batch before reading the
    // window again, or a 4,000-character token streamed a character at a time costs 4,000 analyses of it.
    this.nextAnalysisAt = cut > 0 ? 0 : this.pending.length + this.limits.batch;
    return cut > 0 ? this.emit(cut, findings) : '';
  }

  /** Ends the stream: returns everything still held, redacted. */
  flush(): string {
    if (this.pending.length === 0) return '';
    return this.emit(this.pending.length, this.findingsInPending());
  }

  /** Findings in `pending` coordinates; a finding that began in already-emitted text is clipped to its rest. */
  private findingsInPending(): PiiFinding[] {
    const offset = this.emittedTail.length;
    return this.analyze(this.emittedTail + this.pending)
      .map((finding) => ({ ...finding, start: Math.max(0, finding.start - offset), end: finding.end - offset }))
      .filter((finding) => finding.end > 0);
  }

  private safeCut(findings: readonly PiiFinding[]): number {
    const text = this.pending;
    const limit = text.length - this.limits.holdback;
    let cut = limit;
    // A whitespace-free run crossing the cut may be an e-mail or URL whose decisive part has not arrived yet.
    if (cut > 0 && /\S/.test(text[cut - 1] ?? '') && /\S/.test(text[cut] ?? '')) {
      const runStart = lastWhitespace(text, cut) + 1;
      if (limit - runStart < this.limits.maxToken) cut = runStart;
    }
    const begin = text.lastIndexOf(blockBegin, cut);
    if (begin >= 0 && !blockClosed(text, begin) && limit - begin < this.limits.maxBlock) cut = Math.min(cut, begin);
    for (let index = findings.length - 1; index >= 0; index--) {
      const finding = findings[index];
      if (finding && finding.start < cut && finding.end > cut) cut = finding.start;
    }
    // Never split a surrogate pair.
    if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
    return cut;
  }

  private emit(cut: number, findings: readonly PiiFinding[]): string {
    const ready = this.pending.slice(0, cut);
    // Findings crossing a forced cut (over-long token or block) are transformed up to the cut: fail safe.
    const inside = findings
      .filter((finding) => finding.start < cut)
      .map((finding) => ({ ...finding, end: Math.min(finding.end, cut) }));
    const result = applyOperators(ready, inside, this.policy, this.vault);
    this.appliedSoFar.push(...result.applied);
    this.emittedTail = (this.emittedTail + ready).slice(-this.limits.context);
    this.pending = this.pending.slice(cut);
    return result.text;
  }
}

/** The END line is complete (`-----END ... KEY-----`), so the block recognizer can see the whole block. */
function blockClosed(text: string, begin: number): boolean {
  const end = text.indexOf(blockEnd, begin);
  return end >= 0 && text.indexOf('-----', end + blockEnd.length) >= 0;
}

function lastWhitespace(text: string, before: number): number {
  for (let index = before - 1; index >= 0; index--) if (/\s/.test(text[index] ?? '')) return index;
  return -1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
