import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { QuotaObligation } from '@attest/policy';
import { QuotaService, type QuotaSubject } from '@attest/policy/nest';
import { TOKEN_FLUSH_INTERVAL_MS, TokenUsageRecorder } from './token-usage.recorder';

const alice: QuotaSubject = { tenant: 'default', principalId: 'u-alice', keyId: 'k-alice', teams: ['radiology'] };
const bob: QuotaSubject = { tenant: 'default', principalId: 'u-bob', keyId: 'k-bob', teams: ['radiology'] };
const budgets: QuotaObligation[] = [
  { metric: 'requests_per_minute', scope: 'key', limit: 100 },
  { metric: 'tokens_per_day', scope: 'team', limit: 1_000 },
  { metric: 'tokens_per_day', scope: 'tenant', limit: 10_000 },
];

describe(TokenUsageRecorder.name, () => {
  let db: TestDatabase;
  let quotas: QuotaService;
  let sut: TokenUsageRecorder;

  const used = async (): Promise<Record<string, number>> => {
    const rows: { scope: string; subject: string; window_start: Date; used: string }[] = await db.dataSource.query(
      `SELECT scope, subject, window_start, used FROM quota_counter WHERE metric = 'tokens_per_day' ORDER BY scope, subject, window_start`,
    );
    return Object.fromEntries(rows.map((row) => [`${row.scope}:${row.subject}:${row.window_start.toISOString().slice(0, 10)}`, Number(row.used)]));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    quotas = new QuotaService(db.dataSource);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM quota_counter');
    sut = new TokenUsageRecorder(quotas);
  });
  afterEach(() => sut.flush());

  it('sums usage per subject in memory and writes it in one go', async () => {
    const now = new Date('2026-11-25T10:00:00Z');
    sut.record(alice, budgets, 300, now);
    sut.record(alice, budgets, 200, now);
    sut.record(bob, budgets, 100, now);
    expect(await used()).toEqual({});
    await sut.flush();
    expect(await used()).toEqual({ 'team:radiology:2026-11-25': 600, 'tenant:default:2026-11-25': 600 });
  });

  it('counts tokens in the UTC day they were used, whenever they are written', async () => {
    sut.record(alice, budgets, 50, new Date('2026-11-25T23:59:59.900Z'));
    sut.record(alice, budgets, 70, new Date('2026-11-26T00:00:00.100Z'));
    await sut.flush();
    expect(await used()).toMatchObject({ 'team:radiology:2026-11-25': 50, 'team:radiology:2026-11-26': 70 });
  });

  it('writes by itself within the flush interval, and what admit then reads refuses an exhausted budget', async () => {
    const now = new Date();
    sut.record(alice, budgets, 1_000, now);
    await new Promise((resolve) => setTimeout(resolve, TOKEN_FLUSH_INTERVAL_MS + 300));
    expect((await used())[`team:radiology:${now.toISOString().slice(0, 10)}`]).toBe(1_000);
    await expect(quotas.admit(bob, budgets, now)).rejects.toMatchObject({ quota: budgets[1] });
  });

  it('writes what is still held before the application shuts down, and then writes at once', async () => {
    sut.record(bob, budgets, 42, new Date('2026-11-25T10:00:00Z'));
    await sut.beforeApplicationShutdown();
    expect(await used()).toMatchObject({ 'team:radiology:2026-11-25': 42 });
    // A request that finishes while the server drains: no timer to wait for.
    sut.record(bob, budgets, 8, new Date('2026-11-25T10:00:01Z'));
    await new Promise((resolve) => setTimeout(resolve, TOKEN_FLUSH_INTERVAL_MS / 2));
    expect(await used()).toMatchObject({ 'team:radiology:2026-11-25': 50 });
  });

  it('ignores requests without token budgets or tokens, and survives a write that fails', async () => {
    sut.record(alice, [{ metric: 'requests_per_minute', scope: 'key', limit: 5 }], 500);
    sut.record(alice, budgets, 0);
    await sut.flush();
    expect(await used()).toEqual({});
    const failing = new TokenUsageRecorder({ recordTokens: () => Promise.reject(new Error('read-only')) } as unknown as QuotaService);
    failing.record(alice, budgets, 10);
    await expect(failing.flush()).resolves.toBeUndefined();
  });
});
