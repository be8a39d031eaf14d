import type { TestDatabase } from '@attest/db/testing';
import { adminActor, testConfig, type ManualClock } from '../../test/factories';
import { useIdentityFixture } from '../../test/identity-fixture';
import type { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { apiKeyMatchesHash, API_KEY_PATTERN } from '../core/api-key-format';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import { ApiKeyService } from './api-key.service';

const DAY = 86_400_000;

describe(ApiKeyService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAuditRecorder;
  let clock: ManualClock;
  let sut: ApiKeyService;

  const fixture = useIdentityFixture();
  beforeEach(() => {
    ({ db, audit, clock } = fixture());
    sut = new ApiKeyService(db.dataSource, audit, testConfig(), clock.now);
  });

  const storedRows = () => db.dataSource.query<{ prefix: string; secret_hash: string; expires_at: Date | null }[]>('SELECT * FROM api_key');

  describe('create', () => {
    it('returns an atk_ key once and stores only its hash', async () => {
      const { key, record } = await sut.create({ name: 'ci', roles: ['developer'], models: ['llama3'], actions: ['chat'] }, adminActor());
      expect(key).toMatch(API_KEY_PATTERN);
      const [row] = await storedRows();
      expect(JSON.stringify(row)).not.toContain(key.split('_')[2]);
      expect(apiKeyMatchesHash(key, row!.secret_hash)).toBe(true);
      expect(record).toMatchObject({ name: 'ci', roles: ['developer'], modelScopes: ['llama3'], actionScopes: ['chat'], status: 'active' });
      expect(JSON.stringify(record)).not.toContain(key);
      expect(record.maskedKey).toBe(`atk_${row!.prefix}_…`);
    });

    it('expires after 90 days by default', async () => {
      const { record } = await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      expect(record.expiresAt?.getTime()).toBe(clock.now().getTime() + 90 * DAY);
      expect(record.modelScopes).toBeNull();
    });

    it('refuses a key that never expires unless the operator allowed it', async () => {
      await expect(sut.create({ name: 'ci', roles: ['developer'], expiresInMs: 'never' }, adminActor())).rejects.toMatchObject({
        code: IdentityErrorCode.InvalidKeyRequest,
      });
      const permissive = new ApiKeyService(db.dataSource, audit, testConfig({ allowNonExpiringKeys: true }), clock.now);
      const { record } = await permissive.create({ name: 'ci', roles: ['developer'], expiresInMs: 'never' }, adminActor());
      expect(record.expiresAt).toBeNull();
    });

    it.each([
      [{ name: '', roles: ['developer'] }],
      [{ name: 'ci', roles: [] }],
      [{ name: 'ci', roles: ['root'] }],
      [{ name: 'ci', roles: ['developer'], models: ['bad model'] }],
      [{ name: 'ci', roles: ['developer'], expiresInMs: 10_000 * DAY }],
    ])('rejects an invalid request %j and stores nothing', async (request) => {
      await expect(sut.create(request, adminActor())).rejects.toMatchObject({ code: IdentityErrorCode.InvalidKeyRequest });
      expect(await storedRows()).toEqual([]);
      expect(audit.events).toEqual([]);
    });

    it('records the creation without the key', async () => {
      const { key, record } = await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      expect(audit.events).toEqual([
        expect.objectContaining({ action: 'api_key.created', outcome: 'success', resource: { type: 'api_key', id: record.id, name: 'ci' } }),
      ]);
      expect(JSON.stringify(audit.events)).not.toContain(key);
    });

    it('creates nothing when the audit log refuses the event (fail closed)', async () => {
      audit.failing = true;
      await expect(sut.create({ name: 'ci', roles: ['developer'] }, adminActor())).rejects.toThrow('audit log unavailable');
      expect(await storedRows()).toEqual([]);
    });
  });

  describe('rotate', () => {
    it('issues a successor with the same scopes and lets the old key live only for the overlap', async () => {
      const first = await sut.create({ name: 'ci', roles: ['developer'], models: ['llama3'] }, adminActor());
      clock.advance(10 * DAY);
      const rotated = await sut.rotate(first.record.id, { overlapMs: 3_600_000 }, adminActor());
      expect(rotated.key).not.toBe(first.key);
      expect(rotated.record).toMatchObject({ name: 'ci', roles: ['developer'], modelScopes: ['llama3'], rotatedFrom: first.record.id });
      expect(rotated.record.expiresAt?.getTime()).toBe(clock.now().getTime() + 90 * DAY);
      expect(rotated.previous.expiresAt?.getTime()).toBe(clock.now().getTime() + 3_600_000);
      expect(audit.actions()).toEqual(['api_key.created', 'api_key.rotated']);
    });

    it('refuses to rotate a revoked key', async () => {
      const first = await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      await sut.revoke(first.record.id, adminActor());
      await expect(sut.rotate(first.record.id, {}, adminActor())).rejects.toMatchObject({ code: IdentityErrorCode.InvalidKeyRequest });
    });
  });

  describe('revoke', () => {
    it('marks the key revoked and records who did it', async () => {
      const { record } = await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      const revoked = await sut.revoke(record.id, adminActor(), 'leaked in a log');
      expect(revoked.status).toBe('revoked');
      expect(audit.events.at(-1)).toMatchObject({ action: 'api_key.revoked', details: expect.objectContaining({ reason: 'leaked in a log' }) });
    });

    it.each(['00000000-0000-0000-0000-000000000000', 'not-a-uuid'])('answers KEY_NOT_FOUND for %s', async (id) => {
      const error = await sut.revoke(id, adminActor()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IdentityError);
      expect((error as IdentityError).code).toBe(IdentityErrorCode.KeyNotFound);
    });

    it('does not revoke a key of another tenant', async () => {
      const { record } = await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      await expect(sut.revoke(record.id, adminActor({ tenant: 'other' }))).rejects.toMatchObject({ code: IdentityErrorCode.KeyNotFound });
    });
  });

  describe('list', () => {
    it('shows status and never the key', async () => {
      const active = await sut.create({ name: 'a', roles: ['developer'] }, adminActor());
      clock.advance(1_000);
      const old = await sut.create({ name: 'b', roles: ['auditor'], expiresInMs: DAY }, adminActor());
      clock.advance(2 * DAY);
      const listed = await sut.list('default');
      expect(listed.map((key) => [key.name, key.status])).toEqual([
        ['a', 'active'],
        ['b', 'expired'],
      ]);
      expect(JSON.stringify(listed)).not.toContain(active.key);
      expect(JSON.stringify(listed)).not.toContain(old.key);
    });
  });

  describe('ensureBootstrapAdmin', () => {
    it('creates one admin key on an empty database and prints it once', async () => {
      const lines: string[] = [];
      await sut.ensureBootstrapAdmin((line) => lines.push(line));
      await sut.ensureBootstrapAdmin((line) => lines.push(line));
      expect(lines).toHaveLength(1);
      const key = /(atk_\S+)/.exec(lines[0]!)?.[1];
      expect(key).toMatch(API_KEY_PATTERN);
      const listed = await sut.list('default');
      expect(listed).toMatchObject([{ name: 'bootstrap-admin', roles: ['admin'], status: 'active' }]);
    });

    it('registers ATTEST_BOOTSTRAP_API_KEY without printing it', async () => {
      const bootstrapApiKey = `atk_${'a'.repeat(12)}_${'b'.repeat(40)}`;
      const fromEnv = new ApiKeyService(db.dataSource, audit, testConfig({ bootstrapApiKey }), clock.now);
      const lines: string[] = [];
      await fromEnv.ensureBootstrapAdmin((line) => lines.push(line));
      expect(lines.join('\n')).not.toContain(bootstrapApiKey);
      expect(lines.join('\n')).toContain('atk_aaaaaaaaaaaa_…');
      const [row] = await storedRows();
      expect(apiKeyMatchesHash(bootstrapApiKey, row!.secret_hash)).toBe(true);
    });

    it('does nothing once a key exists', async () => {
      await sut.create({ name: 'ci', roles: ['developer'] }, adminActor());
      const lines: string[] = [];
      await sut.ensureBootstrapAdmin((line) => lines.push(line));
      expect(lines).toEqual([]);
    });
  });
});
