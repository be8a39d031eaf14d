import { PolicyBundle } from './policy-bundle';
import { DEFAULT_DENY_REASON, PolicyEngine } from './policy-engine';
import { chatRequest, TEST_SCHEMA } from './policy-test-fixtures';
import { PolicyErrorCode } from './policy.errors';

function bundleOf(policies: string, schema = TEST_SCHEMA): PolicyBundle {
  return PolicyBundle.fromFiles({ 'attest.cedarschema': schema, 'main.cedar': policies });
}

const ALLOW_ALL = `
@id("allow-all")
@obligation("redact:PERSON; max_tokens:512")
permit (principal, action, resource);
`;

describe(PolicyEngine.name, () => {
  it('allows through a matching permit and returns its obligations', () => {
    const sut = new PolicyEngine(bundleOf(ALLOW_ALL));
    expect(sut.decide(chatRequest())).toEqual({
      decision: 'allow',
      policyIds: ['allow-all'],
      reasons: ['permitted by allow-all'],
      obligations: { redact: ['PERSON'], maxTokensCap: 512, storeRawContent: true },
      bundleSha256: sut.bundleSha256,
      errors: [],
    });
  });

  it('denies by default when no permit matches', () => {
    const sut = new PolicyEngine(bundleOf(`@id("clinicians") permit (principal in Group::"clinicians", action, resource);`));
    const decision = sut.decide(chatRequest());
    expect(decision).toMatchObject({ decision: 'deny', policyIds: [], reasons: [DEFAULT_DENY_REASON], errors: [] });
  });

  it('treats groups as Cedar parents of the principal', () => {
    const sut = new PolicyEngine(bundleOf(`@id("clinicians") permit (principal in Group::"clinicians", action, resource);`));
    const request = chatRequest();
    request.principal.groups = ['clinicians'];
    expect(sut.decide(request).decision).toBe('allow');
  });

  it('names the forbids that denied, with their @reason', () => {
    const sut = new PolicyEngine(
      bundleOf(`${ALLOW_ALL}
        @id("no-cards") @reason("no card numbers")
        forbid (principal, action, resource) when { context.piiTypes.contains("CREDIT_CARD") };`),
    );
    const decision = sut.decide(chatRequest({ context: { piiTypes: ['CREDIT_CARD'] } }));
    expect(decision).toMatchObject({ decision: 'deny', policyIds: ['no-cards'], reasons: ['no card numbers'] });
    expect(decision.obligations).toEqual({ redact: [], storeRawContent: true });
  });

  it('denies when a policy errors during evaluation, even though Cedar would skip the failing forbid', () => {
    const sut = new PolicyEngine(
      bundleOf(`${ALLOW_ALL}
        @id("overflowing-forbid")
        forbid (principal, action, resource) when { context has maxTokens && context.maxTokens * 1000000000000 > 5 };`),
    );
    const decision = sut.decide(chatRequest({ context: { piiTypes: [], maxTokens: 10_000_000 } }));
    expect(decision.decision).toBe('deny');
    expect(decision.policyIds).toEqual(['overflowing-forbid']);
    expect(decision.errors[0]).toContain('overflowing-forbid');
  });

  it('denies every request while its bundle is invalid, listing the problems', () => {
    const sut = new PolicyEngine(bundleOf(`@id("typo") permit (principal, action, resource) when { resource.domian == "x" };`));
    const decision = sut.decide(chatRequest());
    expect(decision.decision).toBe('deny');
    expect(decision.errors[0]).toMatch(/^main\.cedar:1:\d+: .*domian/);
  });

  it('denies a request that lacks an attribute the schema requires', () => {
    const sut = new PolicyEngine(bundleOf(ALLOW_ALL));
    const request = chatRequest();
    delete (request.principal as { tenant?: string }).tenant;
    expect(sut.decide(request)).toMatchObject({ decision: 'deny', errors: ['principal.tenant: required by the policy schema'] });
  });

  it('denies an action the schema does not declare', () => {
    const sut = new PolicyEngine(bundleOf(ALLOW_ALL));
    expect(sut.decide(chatRequest({ action: 'fine_tune' })).decision).toBe('deny');
  });

  it('drops fields the schema does not declare and converts extension types', () => {
    const sut = new PolicyEngine(
      bundleOf(`@id("lan") permit (principal, action, resource) when { context has sourceIp && context.sourceIp.isInRange(ip("10.0.0.0/8")) };`),
    );
    expect(sut.decide(chatRequest({ context: { piiTypes: [], sourceIp: '10.1.2.3', unknownField: 1 } })).decision).toBe('allow');
    expect(sut.decide(chatRequest({ context: { piiTypes: [], sourceIp: '192.168.1.1' } })).decision).toBe('deny');
  });

  it('keeps the last good bundle when a replacement is invalid', () => {
    const sut = new PolicyEngine(bundleOf(ALLOW_ALL));
    const before = sut.bundleSha256;
    expect(() => sut.replaceBundle(bundleOf('permit (principal, action, resource);'))).toThrow(
      expect.objectContaining({ code: PolicyErrorCode.BundleInvalid }),
    );
    expect(sut.bundleSha256).toBe(before);
    expect(sut.decide(chatRequest()).decision).toBe('allow');
  });

  it('switches to a valid replacement bundle', () => {
    const sut = new PolicyEngine(bundleOf(ALLOW_ALL));
    const replacement = bundleOf(`@id("none") forbid (principal, action, resource);`);
    sut.replaceBundle(replacement);
    expect(sut.bundleSha256).toBe(replacement.sha256);
    expect(sut.decide(chatRequest())).toMatchObject({ decision: 'deny', policyIds: ['none'], bundleSha256: replacement.sha256 });
  });
});
