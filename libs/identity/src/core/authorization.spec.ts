import { assertModelInScope, authorize, isModelInScope } from './authorization';
import { IdentityErrorCode } from './identity.errors';
import type { Principal } from './principal';

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    id: 'p1',
    kind: 'service',
    tenant: 'default',
    displayName: 'ci',
    groups: [],
    roles: ['developer'],
    authMethod: 'api_key',
    modelScopes: null,
    actionScopes: null,
    ...overrides,
  };
}

describe(authorize.name, () => {
  it('allows any role when the rule names none, and one matching role otherwise', () => {
    expect(() => authorize(principal(), {})).not.toThrow();
    expect(() => authorize(principal({ roles: ['auditor', 'developer'] }), { roles: ['admin', 'developer'] })).not.toThrow();
  });

  it('refuses a missing role with FORBIDDEN, then an action out of scope with ACTION_NOT_IN_SCOPE', () => {
    expect(() => authorize(principal(), { roles: ['admin'] })).toThrow(expect.objectContaining({ code: IdentityErrorCode.Forbidden }));
    expect(() => authorize(principal({ actionScopes: ['embeddings'] }), { action: 'chat' })).toThrow(
      expect.objectContaining({ code: IdentityErrorCode.ActionNotInScope }),
    );
  });
});

describe(isModelInScope.name, () => {
  it('matches exact names and prefix patterns; null scopes allow all', () => {
    const scoped = principal({ modelScopes: ['llama3', 'phi-*'] });
    expect(isModelInScope(scoped, 'llama3')).toBe(true);
    expect(isModelInScope(scoped, 'phi-3-mini')).toBe(true);
    expect(isModelInScope(scoped, 'llama3-70b')).toBe(false);
    expect(isModelInScope(principal(), 'anything')).toBe(true);
    expect(() => assertModelInScope(scoped, 'mistral')).toThrow(expect.objectContaining({ code: IdentityErrorCode.ModelNotInScope }));
  });
});
