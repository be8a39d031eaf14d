/**
 * Finds stop sequences in streamed text and holds back only what could still become one, so a client never sees
 * part of a stop sequence. Matching works on the text as streamed (detokenized with its context): node-llama-cpp's
 * own trigger detection detokenizes token by token, which drops the leading space of SentencePiece tokens, so a stop
 * such as `" girl"` never fires there.
 */
export class StopSequenceFilter {
  private readonly stops: string[];
  private pending = '';
  private emitted = '';
  private stopped = false;

  constructor(
    stops: readonly string[],
    private readonly emit: (chunk: string) => void,
  ) {
    this.stops = stops.filter((stop) => stop.length > 0);
  }

  /** The text released so far; after a stop it is the whole answer, the stop sequence excluded. */
  get text(): string {
    return this.emitted;
  }

  get hasStopped(): boolean {
    return this.stopped;
  }

  /** Adds a chunk; returns true once a stop sequence has been found (everything after it is discarded). */
  push(chunk: string): boolean {
    if (this.stopped) return true;
    this.pending += chunk;
    let stopAt = -1;
    for (const stop of this.stops) {
      const index = this.pending.indexOf(stop);
      if (index >= 0 && (stopAt < 0 || index < stopAt)) stopAt = index;
    }
    if (stopAt >= 0) {
      this.release(this.pending.slice(0, stopAt));
      this.pending = '';
      this.stopped = true;
      return true;
    }
    const held = this.longestStopPrefixSuffix();
    this.release(this.pending.slice(0, this.pending.length - held));
    this.pending = this.pending.slice(this.pending.length - held);
    return false;
  }

  /** Releases the held-back tail when generation ended without a stop sequence. */
  flush(): void {
    if (!this.stopped) this.release(this.pending);
    this.pending = '';
  }

  private longestStopPrefixSuffix(): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > longest; length -= 1) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }

  private release(text: string): void {
    if (text === '') return;
    this.emitted += text;
    this.emit(text);
  }
}
