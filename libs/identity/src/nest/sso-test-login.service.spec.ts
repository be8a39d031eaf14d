import { useIdentityFixture } from '../../test/identity-fixture';
import type { Principal } from '../core/principal';
import { previewRoleMapping } from '../core/role-mapping-preview';
import { createSessionService, createSsoTestLoginService } from './identity.factory';
import { SsoTestLoginService } from './sso-test-login.service';
import { MemorySsoTestLoginStore } from './sso-test-login.store';

const admin: Principal = {
  id: '0190b3a4-0000-7000-8000-000000000001',
  kind: 'user',
  tenant: 'default',
  displayName: 'Ada Admin',
  groups: [],
  roles: ['admin'],
  authMethod: 'session',
  sessionId: 'session-1',
  modelScopes: null,
  actionScopes: null,
};

describe(SsoTestLoginService.name, () => {
  const fixture = useIdentityFixture();

  it('says SSO_NOT_CONFIGURED without an OIDC client, and records nothing', async () => {
    const { deps, audit } = fixture();
    const sut = createSsoTestLoginService({ ...deps, sessions: createSessionService(deps) });
    expect(sut.configured).toBe(false);
    await expect(sut.start(admin)).rejects.toMatchObject({ code: 'SSO_NOT_CONFIGURED' });
    await expect(sut.complete('state=s&code=c', 's', 'token')).rejects.toMatchObject({ code: 'SSO_NOT_CONFIGURED' });
    expect(audit.events).toEqual([]);
  });

  it('recognises a test callback only by the state its cookie holds', () => {
    expect(SsoTestLoginService.isTestCallback('code=c&state=abc', 'abc')).toBe(true);
    expect(SsoTestLoginService.isTestCallback('code=c&state=abc', 'other')).toBe(false);
    expect(SsoTestLoginService.isTestCallback('code=c&state=abc', undefined)).toBe(false);
    expect(SsoTestLoginService.isTestCallback('code=c', '')).toBe(false);
  });
});

describe(MemorySsoTestLoginStore.name, () => {
  const preview = previewRoleMapping({ iss: 'https://idp', sub: 'u' }, []);
  const at = new Date('2026-01-01T00:00:00Z');
  const later = (ms: number) => new Date(at.getTime() + ms);

  it('forgets a result once it has expired', () => {
    const sut = new MemorySsoTestLoginStore();
    sut.put('r1', { sessionId: 's', tenant: 'default', claims: { sub: 'u' }, preview, createdAt: at, expiresAt: later(300_000) }, at);
    expect(sut.get('r1', later(299_999))?.claims).toEqual({ sub: 'u' });
    expect(sut.get('r1', later(300_000))).toBeUndefined();
    expect(sut.get('r1', at)).toBeUndefined();
  });

  it('keeps at most a thousand results, dropping the oldest', () => {
    const sut = new MemorySsoTestLoginStore();
    for (let index = 0; index <= 1_000; index++) {
      sut.put(`r${index}`, { sessionId: 's', tenant: 'default', claims: {}, preview, createdAt: at, expiresAt: later(300_000) }, at);
    }
    expect(sut.get('r0', at)).toBeUndefined();
    expect(sut.get('r1', at)).toBeDefined();
    expect(sut.get('r1000', at)).toBeDefined();
  });
});
