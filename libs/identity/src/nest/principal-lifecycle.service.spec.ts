import type { TestDatabase } from '@attest/db/testing';
import { adminActor, testConfig, type ManualClock } from '../../test/factories';
import { useIdentityFixture } from '../../test/identity-fixture';
import type { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { IdentityErrorCode } from '../core/identity.errors';
import { createApiKeyService, createAuthenticationService } from './identity.factory';
import { PrincipalLifecycleService } from './principal-lifecycle.service';

describe(PrincipalLifecycleService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAuditRecorder;
  let clock: ManualClock;
  let sut: PrincipalLifecycleService;

  const fixture = useIdentityFixture();
  beforeEach(() => {
    ({ db, audit, clock } = fixture());
    sut = new PrincipalLifecycleService(db.dataSource, audit, clock.now);
  });

  it('disables the principal, revokes its keys and ends its sessions in one recorded act', async () => {
    const deps = { dataSource: db.dataSource, audit, config: testConfig(), now: clock.now };
    const keys = createApiKeyService(deps);
    const authentication = createAuthenticationService(deps);
    const first = await keys.create({ name: 'svc', roles: ['developer'] }, adminActor());
    await keys.create({ name: 'svc', roles: ['developer'] }, adminActor());
    await db.dataSource.query(
      `INSERT INTO auth_session (token_hash, tenant_id, principal_id, issuer, expires_at) VALUES ('h', 'default', $1, 'https://idp', now() + interval '1 hour')`,
      [first.record.principalId],
    );

    const result = await sut.deactivate(first.record.principalId, adminActor(), 'left');

    expect(result).toEqual({ principalId: first.record.principalId, endedSessions: 1, revokedKeys: 2 });
    expect(audit.events.at(-1)).toMatchObject({ action: 'principal.deactivated', details: expect.objectContaining({ endedSessions: 1 }) });
    await expect(authentication.authenticate({ authorization: `Bearer ${first.key}` })).rejects.toMatchObject({ code: IdentityErrorCode.KeyRevoked });
  });

  it('changes nothing when the audit log refuses the event', async () => {
    const { record } = await createApiKeyService({ dataSource: db.dataSource, audit, config: testConfig() }).create({ name: 'svc', roles: ['developer'] }, adminActor());
    audit.failing = true;
    await expect(sut.deactivate(record.principalId, adminActor(), 'left')).rejects.toThrow('audit log unavailable');
    const [row] = await db.dataSource.query<{ disabled_at: Date | null }[]>('SELECT disabled_at FROM principal');
    expect(row!.disabled_at).toBeNull();
  });

  it('refuses an unknown principal', async () => {
    await expect(sut.deactivate('00000000-0000-0000-0000-000000000000', adminActor(), 'x')).rejects.toMatchObject({ code: IdentityErrorCode.PrincipalNotFound });
  });
});
