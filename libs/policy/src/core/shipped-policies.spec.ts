import { join } from 'node:path';
import { cedar } from './cedar';
import { toCedarRequest } from './request-mapper';
import { PolicyBundle } from './policy-bundle';
import { PolicyEngine } from './policy-engine';
import { loadPolicyTests, runPolicyTests, type PolicyTestCase } from './policy-tests';

// The repository's policies/ folder: what `npm start` enforces and what `attest policies test` runs in CI.
const POLICY_DIR = join(__dirname, '..', '..', '..', '..', 'policies');

describe('shipped policies', () => {
  let engine: PolicyEngine;
  let tests: PolicyTestCase[];

  beforeAll(async () => {
    engine = new PolicyEngine(await PolicyBundle.fromDirectory(POLICY_DIR));
    tests = await loadPolicyTests(join(POLICY_DIR, 'tests'));
  });

  it('validate strictly against attest.cedarschema', () => {
    expect(engine.problems).toEqual([]);
  });

  it('give every concern a test file, every policy at least one test that names it', () => {
    const named = new Set(tests.flatMap((test) => [...(test.expect.policyIds ?? []), ...(test.expect.includes ?? [])]));
    const policyIds = [...engine.bundle.compile().policies.keys()];
    expect(policyIds.filter((id) => !named.has(id))).toEqual([]);
  });

  it('decide exactly as the whole policy set would, though each action evaluates only its own subset', () => {
    const compiled = engine.bundle.compile();
    const shapes = compiled.shapes!;
    let compared = 0;
    for (const { request } of tests) {
      const subsetKey = compiled.actionSetKeys.get(request.action);
      if (!subsetKey || !shapes.actionContexts.has(request.action)) continue;
      let call;
      try {
        call = { ...toCedarRequest(request, shapes), preparsedSchemaName: compiled.cacheKey, validateRequest: true };
      } catch {
        continue; // requests the schema refuses never reach Cedar
      }
      const outcome = (policySetId: string) => {
        const answer = cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: policySetId });
        if (answer.type === 'failure') return answer;
        const { decision, diagnostics } = answer.response;
        return { decision, reason: [...diagnostics.reason].sort(), errors: diagnostics.errors.map((error) => error.policyId).sort() };
      };
      expect(outcome(subsetKey)).toEqual(outcome(compiled.cacheKey));
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    expect(Object.keys(engine.bundle.files).length).toBeGreaterThan(5);
  });

  it('pass every policy test in policies/tests', () => {
    const failures = runPolicyTests(engine, tests)
      .filter((result) => result.failures.length > 0)
      .map((result) => `${result.test.file} › ${result.test.name}: ${result.failures.join('; ')}`);
    expect(failures).toEqual([]);
    expect(tests.length).toBeGreaterThanOrEqual(30);
  });
});
