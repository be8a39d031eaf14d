import { APPROVER_ROLE, assertCanApprove, assertTransition, canTransition, servesDirectly, servesThroughAlias, VERSION_STATUSES } from './lifecycle';
import { RegistryErrorCode } from './registry.errors';

describe('lifecycle', () => {
  it('allows exactly draft → approved → active ⇄ deprecated → retired, and withdrawing at any step', () => {
    const allowed = VERSION_STATUSES.flatMap((from) => VERSION_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`));
    expect(allowed).toEqual([
      'draft>approved',
      'draft>retired',
      'approved>active',
      'approved>retired',
      'active>deprecated',
      'active>retired',
      'deprecated>active',
      'deprecated>retired',
    ]);
  });

  it('refuses a skipped step, naming what is allowed', () => {
    expect(() => assertTransition('llama@3', 'draft', 'active')).toThrow(
      expect.objectContaining({ code: RegistryErrorCode.InvalidTransition, message: 'llama@3 is draft; it cannot become active (allowed: approved or retired)' }),
    );
    expect(() => assertTransition('llama@3', 'retired', 'active')).toThrow(/allowed: nothing: it is final/);
  });

  it('serves active and deprecated versions directly, and approved ones only through an alias', () => {
    expect(VERSION_STATUSES.filter(servesDirectly)).toEqual(['active', 'deprecated']);
    expect(VERSION_STATUSES.filter(servesThroughAlias)).toEqual(['approved', 'active', 'deprecated']);
  });

  describe(assertCanApprove.name, () => {
    const attempt = { label: 'llama@3', approverId: 'bob', approverRoles: [APPROVER_ROLE], registeredBy: 'alice' };

    it('lets a second person holding the approver role approve', () => {
      expect(() => assertCanApprove(attempt)).not.toThrow();
    });

    it('refuses the registrant (four-eyes)', () => {
      expect(() => assertCanApprove({ ...attempt, approverId: 'alice' })).toThrow(expect.objectContaining({ code: RegistryErrorCode.FourEyesRequired }));
    });

    it('refuses someone without the approver role', () => {
      expect(() => assertCanApprove({ ...attempt, approverRoles: ['admin'] })).toThrow(expect.objectContaining({ code: RegistryErrorCode.ApproverRoleRequired }));
    });
  });
});
