import { PolicyBundle } from './policy-bundle';
import { PolicyEngine } from './policy-engine';
import { TEST_SCHEMA } from './policy-test-fixtures';
import { parsePolicyTestFile, runPolicyTests } from './policy-tests';
import { PolicyErrorCode } from './policy.errors';

const engine = new PolicyEngine(
  PolicyBundle.fromFiles({
    'attest.cedarschema': TEST_SCHEMA,
    'main.cedar': `@id("internal") @obligation("max_tokens:100") permit (principal, action, resource) when { resource.audience == "internal" };`,
  }),
);

const file = (cases: unknown[]) =>
  JSON.stringify({
    defaults: {
      principal: { id: 'u1', kind: 'user', tenant: 't', groups: [], roles: [] },
      action: 'chat',
      resource: { type: 'model', name: 'm', version: '1', domain: 'general', audience: 'internal' },
    },
    cases,
  });

describe(runPolicyTests.name, () => {
  it('passes a case whose decision, policies and obligations match', () => {
    const tests = parsePolicyTestFile('a.json', file([{ name: 'ok', expect: { decision: 'allow', policyIds: ['internal'], obligations: { maxTokensCap: 100 } } }]));
    expect(runPolicyTests(engine, tests)[0]?.failures).toEqual([]);
  });

  it('merges a case over the defaults and reports each mismatch', () => {
    const tests = parsePolicyTestFile(
      'a.json',
      file([{ name: 'wrong', resource: { audience: 'external' }, expect: { decision: 'allow', includes: ['internal'], reasons: ['nope'] } }]),
    );
    expect(tests[0]?.request.context).toEqual({ piiTypes: [] });
    expect(runPolicyTests(engine, tests)[0]?.failures).toEqual([
      'expected allow, got deny (policies: none)',
      'expected policy internal among []',
      'expected a reason containing "nope", got ["no policy permits this request"]',
    ]);
  });

  it('refuses a malformed test file naming the file and field', () => {
    expect(() => parsePolicyTestFile('b.json', file([{ name: 'x', expect: { decision: 'maybe' } }]))).toThrow(
      expect.objectContaining({ code: PolicyErrorCode.TestFileInvalid, message: expect.stringContaining('b.json: cases.0.expect.decision') }),
    );
    expect(() => parsePolicyTestFile('c.json', '{')).toThrow(/c\.json: not JSON/);
  });
});
