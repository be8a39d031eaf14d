// Registry micro-benchmark: per-request resolution (model name, alias, pinned), GGUF header reads and sha256.
// Run: node scripts/run-ts.cjs bench/registry/registry.bench.ts  (uses DATABASE_URL, else an embedded PostgreSQL
// in a temporary folder). Writes bench/registry/results.json.
import { databaseConfig, migrate, openDatabase } from '@attest/db';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultBuiltinModelPath, parseAliasTargets, readGgufMetadata, sha256File } from '@attest/registry';
import { ModelRegistryService } from '@attest/registry/nest';

async function timeIt(runs: number, work: () => Promise<unknown>): Promise<{ runs: number; p50Ms: number; p99Ms: number; meanMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Number((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(3));
  return { runs, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: Number((samples.reduce((a, b) => a + b, 0) / runs).toFixed(3)) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-registry-bench-'));
  const connection = await openDatabase(databaseConfig.load({ ...process.env, ATTEST_DATA_DIR: dataDir }), { applicationName: 'attest-bench' });
  try {
    await migrate(connection.dataSource);
    const audit = { record: () => Promise.resolve({ id: 'b', chainId: 'b', sequence: 0, leafHash: '' }) };
    const registry = new ModelRegistryService(connection.dataSource, audit, { registerBuiltinModel: true });
    await registry.ensureBuiltinModel(() => undefined);
    await registry.setAlias({ name: 'bench-alias', targets: parseAliasTargets(['stories260k@1:90']) }, { id: 'bench', kind: 'system', tenant: 'default', roles: [], authMethod: 'system' }).catch(() => undefined);
    const path = defaultBuiltinModelPath();
    for (let i = 0; i < 200; i++) await registry.resolve('default', 'stories260k'); // warm-up
    const results = {
      machine: `${process.platform} ${process.arch}, node ${process.version}, database ${connection.mode}`,
      resolveModelName: await timeIt(2000, () => registry.resolve('default', 'stories260k')),
      resolveAlias: await timeIt(2000, () => registry.resolve('default', 'bench-alias')),
      resolvePinned: await timeIt(2000, () => registry.resolve('default', 'stories260k@1')),
      readGgufHeader1_2MB: await timeIt(200, () => readGgufMetadata(path)),
      sha256_1_2MB: await timeIt(100, () => sha256File(path)),
    };
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await connection.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
