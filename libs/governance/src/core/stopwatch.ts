/**
 * Splits a request's wall time into time spent in the model and time Attest spent around it (authentication, PII,
 * policy, audit commits): the `x-attest-overhead-ms` figure.
 */
export class Stopwatch {
  private readonly startedAt = process.hrtime.bigint();
  private modelNs = 0n;
  private modelStartedAt: bigint | undefined;

  startModel(): void {
    this.modelStartedAt = process.hrtime.bigint();
  }

  stopModel(): void {
    if (this.modelStartedAt === undefined) return;
    this.modelNs += process.hrtime.bigint() - this.modelStartedAt;
    this.modelStartedAt = undefined;
  }

  totalMs(): number {
    return Number(process.hrtime.bigint() - this.startedAt) / 1e6;
  }

  modelMs(): number {
    return Number(this.modelNs) / 1e6;
  }

  overheadMs(): number {
    return Math.max(0, this.totalMs() - this.modelMs());
  }
}
