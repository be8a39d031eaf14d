import { createDataSource } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { QuotaObligation } from '../core/quota';
import { QuotaError, QuotaErrorCode } from '../core/quota';
import { QuotaService, type QuotaSubject } from './quota.service';

const alice: QuotaSubject = { tenant: 'default', principalId: 'u-alice', keyId: 'k-alice', teams: ['radiology'] };
const bob: QuotaSubject = { tenant: 'default', principalId: 'u-bob', keyId: 'k-bob', teams: ['radiology'] };
const at = (iso: string) => new Date(iso);

describe(QuotaService.name, () => {
  let db: TestDatabase;
  let sut: QuotaService;
  let other: QuotaService;

  beforeAll(async () => {
    db = await createTestDatabase();
    sut = new QuotaService(db.dataSource);
    // A second service on the same database stands for a second gateway replica.
    other = new QuotaService(db.dataSource);
  });
  afterAll(() => db.drop());
  beforeEach(() => db.dataSource.query('DELETE FROM quota_counter'));

  it('admits requests up to the per-key rate across replicas, then refuses with the seconds left in the minute', async () => {
    const quotas: QuotaObligation[] = [{ metric: 'requests_per_minute', scope: 'key', limit: 3 }];
    const now = at('2026-11-25T10:00:15Z');
    await sut.admit(alice, quotas, now);
    await other.admit(alice, quotas, now);
    await sut.admit(alice, quotas, now);
    await expect(other.admit(alice, quotas, now)).rejects.toMatchObject({ code: QuotaErrorCode.Exceeded, retryAfterSeconds: 45 });
    await sut.admit(bob, quotas, now);
    await sut.admit(alice, quotas, at('2026-11-25T10:01:00Z'));
  });

  it('never overshoots under concurrent requests', async () => {
    const quotas: QuotaObligation[] = [{ metric: 'requests_per_minute', scope: 'tenant', limit: 5 }];
    const now = at('2026-11-25T10:00:00Z');
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 ? sut : other).admit(alice, quotas, now)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
  });

  it('admits exactly the limit of many concurrent requests across replicas, every counter of a request or none', async () => {
    const quotas: QuotaObligation[] = [
      { metric: 'requests_per_minute', scope: 'key', limit: 1000 },
      { metric: 'requests_per_minute', scope: 'team', limit: 17 },
      { metric: 'requests_per_minute', scope: 'tenant', limit: 1000 },
    ];
    const now = at('2026-11-25T10:00:00Z');
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => (i % 2 ? sut : other).admit(i % 3 ? alice : bob, quotas, now)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(17);
    // Refusals are quota refusals (no deadlock, no unique violation), naming the team limit.
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: QuotaErrorCode.Exceeded, quota: quotas[1] });
    const rows: { scope: string; used: string }[] = await db.dataSource.query(`SELECT scope, sum(used)::text AS used FROM quota_counter GROUP BY scope ORDER BY scope`);
    expect(rows).toEqual([{ scope: 'key', used: '17' }, { scope: 'team', used: '17' }, { scope: 'tenant', used: '17' }]);
  });

  it('admits in one statement, without a client-side transaction', async () => {
    const quotas: QuotaObligation[] = [
      { metric: 'requests_per_minute', scope: 'key', limit: 10 },
      { metric: 'tokens_per_day', scope: 'tenant', limit: 10 },
    ];
    const query = jest.spyOn(db.dataSource, 'query');
    const transaction = jest.spyOn(db.dataSource, 'transaction');
    try {
      await sut.admit(alice, quotas, at('2026-11-25T10:00:00Z'));
      expect(query).toHaveBeenCalledTimes(1);
      expect(transaction).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
      transaction.mockRestore();
    }
  });

  it('counts no request when a token budget refuses after the request counters', async () => {
    const quotas: QuotaObligation[] = [
      { metric: 'requests_per_minute', scope: 'key', limit: 100 },
      { metric: 'tokens_per_day', scope: 'tenant', limit: 50 },
    ];
    const now = at('2026-11-25T22:00:00Z');
    await sut.recordTokens(alice, quotas, 50, now);
    await expect(sut.admit(alice, quotas, now)).rejects.toMatchObject({ quota: quotas[1], retryAfterSeconds: 7200 });
    const rows: { metric: string; used: string }[] = await db.dataSource.query(`SELECT metric, used FROM quota_counter ORDER BY metric`);
    expect(rows).toEqual([{ metric: 'tokens_per_day', used: '50' }]);
  });

  it('refuses, without a quota error, when the counters cannot be written', async () => {
    const readOnly = createDataSource({ url: db.url, poolSize: 1 });
    await readOnly.initialize();
    try {
      await readOnly.query('SET SESSION default_transaction_read_only = on');
      const error: unknown = await new QuotaService(readOnly).admit(alice, [{ metric: 'requests_per_minute', scope: 'key', limit: 5 }]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(QuotaError);
      await readOnly.destroy();
      await expect(new QuotaService(readOnly).admit(alice, [{ metric: 'requests_per_minute', scope: 'team', limit: 5 }])).rejects.not.toBeInstanceOf(QuotaError);
    } finally {
      if (readOnly.isInitialized) await readOnly.destroy();
    }
    expect(await db.dataSource.query('SELECT * FROM quota_counter')).toEqual([]);
  });

  it('counts nothing when any quota refuses', async () => {
    const quotas: QuotaObligation[] = [
      { metric: 'requests_per_minute', scope: 'key', limit: 100 },
      { metric: 'requests_per_minute', scope: 'team', limit: 1 },
    ];
    const now = at('2026-11-25T10:00:00Z');
    await sut.admit(alice, quotas, now);
    await expect(sut.admit(bob, quotas, now)).rejects.toMatchObject({ quota: quotas[1] });
    const rows: { subject: string; used: string }[] = await db.dataSource.query(`SELECT subject, used FROM quota_counter WHERE scope = 'key' ORDER BY subject`);
    expect(rows).toEqual([{ subject: 'k-alice', used: '1' }]);
  });

  it('refuses once the day\'s token budget is spent, and admits again the next UTC day', async () => {
    const quotas: QuotaObligation[] = [{ metric: 'tokens_per_day', scope: 'team', limit: 1000 }];
    const now = at('2026-11-25T23:59:30Z');
    await sut.admit(alice, quotas, now);
    await sut.recordTokens(alice, quotas, 600, now);
    await other.recordTokens(bob, quotas, 400, now);
    await expect(sut.admit(alice, quotas, now)).rejects.toMatchObject({ retryAfterSeconds: 30 });
    await sut.admit(alice, quotas, at('2026-11-26T00:00:00Z'));
    expect(await sut.prune(at('2026-11-26T00:00:00Z'))).toBe(1);
  });

  it('counts callers without a key per principal', async () => {
    const quotas: QuotaObligation[] = [{ metric: 'requests_per_minute', scope: 'key', limit: 1 }];
    const session = { ...alice, keyId: undefined };
    await sut.admit(session, quotas);
    await expect(sut.admit(session, quotas)).rejects.toMatchObject({ code: QuotaErrorCode.Exceeded });
  });
});
