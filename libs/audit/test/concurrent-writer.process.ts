// A gateway stand-in for the multi-process specs: `run-ts.cjs libs/audit/test/concurrent-writer.process.ts URL COUNT
// CONCURRENCY NAME` appends COUNT events from CONCURRENCY concurrent callers and prints one JSON receipt per line as
// soon as each is acknowledged (so a parent that SIGKILLs it knows exactly what was acknowledged).
import { createDataSource } from '@attest/db';
import { AuditWriter } from '../src/nest/audit-writer';
import { draftOf, writerOptions } from './audit-test-kit';

async function main(): Promise<void> {
  const [url, countText, concurrencyText, name] = process.argv.slice(2);
  const dataSource = createDataSource({ url: url as string, poolSize: 4 });
  await dataSource.initialize();
  const writer = new AuditWriter(dataSource, writerOptions({ writerId: name ?? 'child', batchMax: 128, flushDelayMs: 1 }));
  const count = Number(countText);
  let next = 0;
  process.stdout.write('ready\n');
  await Promise.all(
    Array.from({ length: Number(concurrencyText) }, async () => {
      while (next < count) {
        const receipt = await writer.record(draftOf(next++));
        process.stdout.write(`${JSON.stringify({ seq: receipt.sequence, leafHash: receipt.leafHash })}\n`);
      }
    }),
  );
  await writer.close();
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
