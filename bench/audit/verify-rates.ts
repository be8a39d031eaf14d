// Verify rates for the audit bench: the same log verified sequentially (workers: 0) and with worker threads (forced,
// whatever the load), against the database (AuditEvidenceService.verify) and offline over an exported bundle
// (verifyBundleAsync), interleaved round by round so that both see the same machine load. Every run must report the log
// intact. The headline is the library's default (what `attest audit verify` does): workers only for a long log on a
// machine whose load average leaves a core idle.
import { availableParallelism, loadavg } from 'node:os';
import { type TrustedKey, verifyBundleAsync, type VerifyReport } from '@attest/audit';
import type { AuditEvidenceService } from '@attest/audit/nest';

export interface VerifyRate {
  events: number;
  /** Seconds of the median run. */
  seconds: number;
  /** Median over the rounds: the headline figure. */
  eventsPerSecond: number;
  bestEventsPerSecond: number;
  allEventsPerSecond: number[];
}

export interface VerifyRates {
  rounds: number;
  workers: number;
  loadavg1: number[];
  database: { default: VerifyRate; workers: VerifyRate; sequential: VerifyRate };
  bundle: { default: VerifyRate; workers: VerifyRate; sequential: VerifyRate; bundleBytes: number };
}

type Run = () => Promise<VerifyReport>;

export async function measureVerifyRates(service: AuditEvidenceService, bundle: Buffer, trustedKeys: TrustedKey[], rounds: number): Promise<VerifyRates> {
  const parallel = { workers: Math.max(1, Math.min(4, availableParallelism() - 1)), parallelFrom: 0 };
  const runs: Record<string, Run> = {
    databaseDefault: () => service.verify({ trustedKeys }),
    databaseSequential: () => service.verify({ trustedKeys, workers: 0 }),
    databaseWorkers: () => service.verify({ trustedKeys, ...parallel }),
    bundleDefault: () => verifyBundleAsync(bundle, { trustedKeys }),
    bundleSequential: () => verifyBundleAsync(bundle, { trustedKeys, workers: 0 }),
    bundleWorkers: () => verifyBundleAsync(bundle, { trustedKeys, ...parallel }),
  };
  const timings: Record<string, { events: number; seconds: number }[]> = {};
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(round2(loadavg()[0] ?? 0));
    for (const [name, run] of Object.entries(runs)) {
      const started = performance.now();
      const report = await run();
      const seconds = (performance.now() - started) / 1000;
      if (!report.ok) throw new Error(`${name} verify failed: ${JSON.stringify(report.failure)}`);
      (timings[name] ??= []).push({ events: report.eventsChecked, seconds });
    }
  }
  const rate = (name: string): VerifyRate => {
    const list = timings[name] ?? [];
    const rates = list.map((timing) => Math.round(timing.events / timing.seconds));
    const sorted = [...list].sort((a, b) => a.seconds - b.seconds);
    const median = sorted[Math.floor(sorted.length / 2)] as { events: number; seconds: number };
    return { events: median.events, seconds: round2(median.seconds), eventsPerSecond: Math.round(median.events / median.seconds), bestEventsPerSecond: Math.max(...rates), allEventsPerSecond: rates };
  };
  return {
    rounds,
    workers: parallel.workers,
    loadavg1: loads,
    database: { default: rate('databaseDefault'), workers: rate('databaseWorkers'), sequential: rate('databaseSequential') },
    bundle: { default: rate('bundleDefault'), workers: rate('bundleWorkers'), sequential: rate('bundleSequential'), bundleBytes: bundle.length },
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
