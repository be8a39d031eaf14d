import type { TestDatabase } from '@attest/db/testing';
import { adminActor, type ManualClock } from '../../test/factories';
import { useIdentityFixture } from '../../test/identity-fixture';
import type { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { ApiKeyService } from './api-key.service';
import { AuthenticationService } from './authentication.service';
import { createApiKeyService, createAuthenticationService } from './identity.factory';

const DAY = 86_400_000;

async function refusal(promise: Promise<unknown>): Promise<IdentityError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof IdentityError)) throw new Error(`expected an IdentityError, got ${String(error)}`);
  return error;
}

describe(AuthenticationService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAuditRecorder;
  let clock: ManualClock;
  let keys: ApiKeyService;
  let sut: AuthenticationService;

  const fixture = useIdentityFixture();
  beforeEach(() => {
    ({ db, audit, clock } = fixture());
    keys = createApiKeyService(fixture().deps);
    sut = createAuthenticationService(fixture().deps);
  });

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('turns a valid API key into a service principal with the key’s roles and scopes', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'], models: ['llama3'], actions: ['chat'] }, adminActor());
    const principal = await sut.authenticate(bearer(key));
    expect(principal).toEqual({
      id: record.principalId,
      kind: 'service',
      tenant: 'default',
      displayName: 'ci',
      groups: [],
      roles: ['developer'],
      authMethod: 'api_key',
      keyId: record.id,
      modelScopes: ['llama3'],
      actionScopes: ['chat'],
    });
  });

  it('answers a missing, malformed, unknown or wrong key alike, so nothing tells whether a key exists', async () => {
    const { key } = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    const wrongSecret = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const unknownKey = `atk_${'Z'.repeat(12)}_${'Z'.repeat(43)}`;
    const answers = await Promise.all(
      [{}, bearer('atk_short'), bearer(unknownKey), bearer(wrongSecret), { authorization: 'Basic abc' }].map((request) => refusal(sut.authenticate(request))),
    );
    expect(new Set(answers.map((error) => `${error.code}: ${error.message}`))).toEqual(
      new Set([`${IdentityErrorCode.Unauthenticated}: ${answers[0]!.message}`]),
    );
  });

  it('refuses a revoked key one second after revocation', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    await sut.authenticate(bearer(key));
    await keys.revoke(record.id, adminActor());
    clock.advance(1_000);
    expect((await refusal(sut.authenticate(bearer(key)))).code).toBe(IdentityErrorCode.KeyRevoked);
  });

  it('refuses an expired key', async () => {
    const { key } = await keys.create({ name: 'ci', roles: ['developer'], expiresInMs: DAY }, adminActor());
    clock.advance(DAY);
    expect((await refusal(sut.authenticate(bearer(key)))).code).toBe(IdentityErrorCode.KeyExpired);
  });

  it('accepts both keys during a rotation overlap and only the new one after it', async () => {
    const first = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    const second = await keys.rotate(first.record.id, { overlapMs: 60_000 }, adminActor());
    await expect(sut.authenticate(bearer(first.key))).resolves.toMatchObject({ keyId: first.record.id });
    await expect(sut.authenticate(bearer(second.key))).resolves.toMatchObject({ keyId: second.record.id });
    clock.advance(60_000);
    expect((await refusal(sut.authenticate(bearer(first.key)))).code).toBe(IdentityErrorCode.KeyExpired);
    await expect(sut.authenticate(bearer(second.key))).resolves.toMatchObject({ id: first.record.principalId });
  });

  it('refuses a key whose principal is deactivated', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    await db.dataSource.query('UPDATE principal SET disabled_at = now() WHERE id = $1', [record.principalId]);
    expect((await refusal(sut.authenticate(bearer(key)))).code).toBe(IdentityErrorCode.PrincipalDisabled);
  });

  it('writes last-used at most once per interval', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    const lastUsed = async () =>
      ((await db.dataSource.query<{ last_used_at: Date | null }[]>('SELECT last_used_at FROM api_key WHERE id = $1', [record.id]))[0]!
        .last_used_at ?? null)?.toISOString();
    const start = clock.now().toISOString();
    await sut.authenticate(bearer(key));
    expect(await lastUsed()).toBe(start);
    clock.advance(30_000);
    await sut.authenticate(bearer(key));
    expect(await lastUsed()).toBe(start);
    clock.advance(30_000);
    await sut.authenticate(bearer(key));
    expect(await lastUsed()).toBe(clock.now().toISOString());
  });

  it('refuses bearer tokens when no identity provider is configured', async () => {
    expect((await refusal(sut.authenticate(bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')))).code).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('records each refusal with its reason, the key id of a genuine key, and never the key', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'] }, adminActor());
    await keys.revoke(record.id, adminActor());
    audit.events.length = 0;
    await refusal(sut.authenticate({ ...bearer(key), sourceIp: '10.0.0.1', userAgent: 'curl/8' }));
    await refusal(sut.authenticate(bearer(`atk_${'Z'.repeat(12)}_${'Z'.repeat(43)}`)));
    // No credential at all is not an attempt: refused, but not written to the append-only log.
    await refusal(sut.authenticate({ sourceIp: '10.0.0.2' }));
    expect(audit.events).toEqual([
      expect.objectContaining({
        action: 'authentication.failed',
        outcome: 'denied',
        actor: expect.objectContaining({ keyId: record.id, authMethod: 'api_key', sourceIp: '10.0.0.1', userAgent: 'curl/8' }),
        details: { code: IdentityErrorCode.KeyRevoked },
      }),
      expect.objectContaining({ details: { code: IdentityErrorCode.Unauthenticated } }),
    ]);
    expect(JSON.stringify(audit.events)).not.toContain(key);
  });

  it('still refuses when the audit log is down', async () => {
    audit.failing = true;
    expect((await refusal(sut.authenticate({}))).code).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('authorises by role and action scope, and records a denial', async () => {
    const { key } = await keys.create({ name: 'ci', roles: ['developer'], actions: ['chat'] }, adminActor());
    const principal = await sut.authenticate(bearer(key));
    await expect(sut.authorize(principal, { roles: ['developer'], action: 'chat' })).resolves.toBeUndefined();
    expect((await refusal(sut.authorize(principal, { roles: ['admin'] }))).code).toBe(IdentityErrorCode.Forbidden);
    expect((await refusal(sut.authorize(principal, { action: 'embeddings' }))).code).toBe(IdentityErrorCode.ActionNotInScope);
    expect(audit.actions().filter((action) => action === 'authorization.denied')).toHaveLength(2);
  });
});
