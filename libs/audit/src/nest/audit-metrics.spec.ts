import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { register } from 'prom-client';
import { recordMany, startRig, tempDir } from '../../test/audit-test-kit';

async function metric(name: string): Promise<{ value: number; metricName?: string }[]> {
  const found = register.getSingleMetric(name);
  if (!found) throw new Error(`${name} is not registered`);
  return (await found.get()).values;
}

describe('audit metrics on /metrics', () => {
  const dir = tempDir();
  let db: TestDatabase;
  afterAll(async () => {
    await db.drop();
    dir.cleanup();
  });

  it('count events per committed batch, and the events not yet covered by a checkpoint until one is signed', async () => {
    db = await createTestDatabase();
    const rig = await startRig(db.dataSource, dir.path);
    await rig.checkpointer.checkpoint();
    await recordMany(rig.writer, 40, 8);
    const count = (await metric('attest_audit_batch_events')).find((sample) => sample.metricName === 'attest_audit_batch_events_count');
    const sum = (await metric('attest_audit_batch_events')).find((sample) => sample.metricName === 'attest_audit_batch_events_sum');
    expect(sum?.value).toBe(40);
    expect(count?.value).toBeGreaterThanOrEqual(5);
    expect(count?.value).toBeLessThanOrEqual(40);
    expect((await metric('attest_audit_unsealed_events'))[0]?.value).toBe(40);
    await rig.checkpointer.checkpoint();
    expect((await metric('attest_audit_unsealed_events'))[0]?.value).toBe(0);
    await rig.writer.close();
  });
});
