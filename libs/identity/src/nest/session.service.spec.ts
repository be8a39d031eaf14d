import type { TestDatabase } from '@attest/db/testing';
import { adminActor, testConfig, type ManualClock } from '../../test/factories';
import { useIdentityFixture } from '../../test/identity-fixture';
import type { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { SESSION_COOKIE_NAME } from '../core/credentials';
import { IdentityErrorCode } from '../core/identity.errors';
import type { AuthenticationService } from './authentication.service';
import type { ApiKeyService } from './api-key.service';
import { createApiKeyService, createAuthenticationService, createSessionService } from './identity.factory';
import { SessionService } from './session.service';

describe(SessionService.name, () => {
  let db: TestDatabase;
  let audit: RecordingAuditRecorder;
  let clock: ManualClock;
  let keys: ApiKeyService;
  let authentication: AuthenticationService;
  let sut: SessionService;

  const fixture = useIdentityFixture();
  beforeEach(() => {
    ({ db, audit, clock } = fixture());
    // No IdP configured: the zero-configuration start.
    const { deps } = fixture();
    sut = createSessionService(deps);
    keys = createApiKeyService(deps);
    authentication = createAuthenticationService({ ...deps, sessions: sut });
  });

  const withCookie = (token: string) => ({ cookie: `${SESSION_COOKIE_NAME}=${token}` });

  describe('without an identity provider', () => {
    it('refuses the OIDC login with SSO_NOT_CONFIGURED and says so', async () => {
      expect(sut.ssoConfigured).toBe(false);
      await expect(sut.startLogin('/portal/')).rejects.toMatchObject({ code: IdentityErrorCode.SsoNotConfigured, message: expect.stringContaining('ATTEST_OIDC_ISSUER') });
    });
  });

  describe('createFromApiKey', () => {
    it('signs a key in: the session authenticates with the key’s roles, lasts the session TTL and is recorded', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());

      const session = await sut.createFromApiKey(issued.key, { sourceIp: '10.0.0.7' });

      expect(session.sessionToken).not.toContain(issued.key);
      expect(session.ttlMs).toBe(testConfig().sessionTtlMs);
      expect(session.expiresAt.getTime()).toBe(clock.now().getTime() + testConfig().sessionTtlMs);
      const principal = await authentication.authenticate(withCookie(session.sessionToken));
      expect(principal).toMatchObject({ id: issued.record.principalId, roles: ['admin'], authMethod: 'session', sessionId: session.principal.sessionId, keyId: issued.record.id });
      expect(audit.events.at(-1)).toMatchObject({
        action: 'session.created',
        outcome: 'success',
        resource: { type: 'session', id: session.principal.sessionId },
        details: { method: 'api_key', keyId: issued.record.id },
      });
      const [row] = await db.dataSource.query<{ issuer: string; token_hash: string }[]>('SELECT issuer, token_hash FROM auth_session');
      expect(row).toMatchObject({ issuer: 'attest:api_key' });
      expect(row!.token_hash).not.toBe(session.sessionToken);
    });

    it('refuses a wrong key with the UNAUTHENTICATED a request gets, records the failure and creates no session', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());
      const wrong = `${issued.key.slice(0, -4)}AAAA`;
      const asRequest = await authentication.authenticate({ authorization: `Bearer ${wrong}` }).catch((error: unknown) => error);

      await expect(sut.createFromApiKey(wrong)).rejects.toMatchObject({ code: IdentityErrorCode.Unauthenticated, message: (asRequest as Error).message });

      expect(asRequest).toMatchObject({ code: IdentityErrorCode.Unauthenticated });
      expect(audit.events.at(-1)).toMatchObject({ action: 'authentication.failed', outcome: 'denied', details: { code: IdentityErrorCode.Unauthenticated } });
      const [count] = await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM auth_session');
      expect(count!.n).toBe(0);
    });

    it('refuses a revoked key as a request would', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());
      await keys.revoke(issued.record.id, adminActor(), 'left');
      await expect(sut.createFromApiKey(issued.key)).rejects.toMatchObject({ code: IdentityErrorCode.KeyRevoked });
    });

    it('ends the power of its sessions when the key is revoked', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());
      const session = await sut.createFromApiKey(issued.key);
      await authentication.authenticate(withCookie(session.sessionToken));

      clock.advance(1_000);
      await keys.revoke(issued.record.id, adminActor(), 'leaked');

      await expect(authentication.authenticate(withCookie(session.sessionToken))).rejects.toMatchObject({ code: IdentityErrorCode.Unauthenticated });
    });

    it('signs out: the session no longer authenticates', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());
      const session = await sut.createFromApiKey(issued.key);

      const { redirectTo } = await sut.logout(session.sessionToken);

      expect(redirectTo).toBe(new URL('/', testConfig().publicUrl).href);
      await expect(authentication.authenticate(withCookie(session.sessionToken))).rejects.toMatchObject({ code: IdentityErrorCode.Unauthenticated });
    });

    it('does not sign in when the audit log refuses the event (fail closed)', async () => {
      const issued = await keys.create({ name: 'portal-admin', roles: ['admin'] }, adminActor());
      audit.failing = true;
      await expect(sut.createFromApiKey(issued.key)).rejects.toThrow('audit log unavailable');
      const [count] = await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM auth_session');
      expect(count!.n).toBe(0);
    });
  });
});
