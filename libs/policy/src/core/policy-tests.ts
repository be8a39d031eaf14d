import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { PolicyEngine } from './policy-engine';
import { PolicyError, PolicyErrorCode } from './policy.errors';
import type { PolicyDecision, PolicyRequest } from './policy.types';

const partialObject = z.record(z.string(), z.unknown());

const expectationSchema = z.strictObject({
  decision: z.enum(['allow', 'deny']),
  /** Exactly these determining policies (any order). */
  policyIds: z.array(z.string()).optional(),
  /** At least these determining policies. */
  includes: z.array(z.string()).optional(),
  /** These obligation fields, compared exactly (absent fields are not checked). */
  obligations: partialObject.optional(),
  /** Each string must occur in one of the decision's reasons. */
  reasons: z.array(z.string()).optional(),
});

const caseSchema = z.strictObject({
  name: z.string().min(1),
  principal: partialObject.optional(),
  action: z.string().optional(),
  resource: partialObject.optional(),
  context: partialObject.optional(),
  expect: expectationSchema,
});

const fileSchema = z.strictObject({
  description: z.string().optional(),
  /** Merged (shallowly, per part) under every case, so a case states only what it is about. */
  defaults: z
    .strictObject({ principal: partialObject.optional(), action: z.string().optional(), resource: partialObject.optional(), context: partialObject.optional() })
    .optional(),
  cases: z.array(caseSchema).min(1),
});

export type PolicyTestExpectation = z.infer<typeof expectationSchema>;

export interface PolicyTestCase {
  /** Test file (relative to the tests folder) and case name. */
  file: string;
  name: string;
  request: PolicyRequest;
  expect: PolicyTestExpectation;
}

export interface PolicyTestResult {
  test: PolicyTestCase;
  decision: PolicyDecision;
  /** Empty when the decision met every expectation. */
  failures: string[];
}

/**
 * Reads policy tests: every `*.json` file in `dir`, each `{ description, defaults, cases: [{ name, principal, action,
 * resource, context, expect }] }`, where a case's parts are merged over the file's defaults.
 */
export async function loadPolicyTests(dir: string): Promise<PolicyTestCase[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new PolicyError(PolicyErrorCode.TestFileInvalid, `cannot read policy tests in ${dir}: ${(error as Error).message}`, [], { cause: error });
  }
  const tests: PolicyTestCase[] = [];
  for (const name of names) tests.push(...parsePolicyTestFile(name, await readFile(join(dir, name), 'utf8')));
  return tests;
}

/** Parses one test file's text; throws POLICY_TEST_FILE_INVALID naming the file and the wrong field. */
export function parsePolicyTestFile(file: string, text: string): PolicyTestCase[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(PolicyErrorCode.TestFileInvalid, `${file}: not JSON: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new PolicyError(PolicyErrorCode.TestFileInvalid, problems[0] ?? `${file}: invalid`, problems);
  }
  const defaults = parsed.data.defaults ?? {};
  return parsed.data.cases.map((testCase) => ({
    file,
    name: testCase.name,
    request: {
      principal: { ...defaults.principal, ...testCase.principal },
      action: testCase.action ?? defaults.action ?? '',
      resource: { ...defaults.resource, ...testCase.resource },
      context: { piiTypes: [], ...defaults.context, ...testCase.context },
    } as unknown as PolicyRequest,
    expect: testCase.expect,
  }));
}

/** Decides every test with `engine` and compares the decision with what the test expects. */
export function runPolicyTests(engine: PolicyEngine, tests: readonly PolicyTestCase[]): PolicyTestResult[] {
  return tests.map((test) => {
    const decision = engine.decide(test.request);
    return { test, decision, failures: compareDecision(decision, test.expect) };
  });
}

/** What differs between a decision and an expectation, one line each. */
export function compareDecision(decision: PolicyDecision, expected: PolicyTestExpectation): string[] {
  const failures: string[] = [];
  if (decision.decision !== expected.decision) {
    failures.push(`expected ${expected.decision}, got ${decision.decision} (policies: ${decision.policyIds.join(', ') || 'none'}${decision.errors.length ? `; errors: ${decision.errors.join('; ')}` : ''})`);
  }
  if (expected.policyIds && !sameSet(expected.policyIds, decision.policyIds)) {
    failures.push(`expected policies [${[...expected.policyIds].sort().join(', ')}], got [${decision.policyIds.join(', ')}]`);
  }
  for (const id of expected.includes ?? []) {
    if (!decision.policyIds.includes(id)) failures.push(`expected policy ${id} among [${decision.policyIds.join(', ')}]`);
  }
  for (const [key, value] of Object.entries(expected.obligations ?? {})) {
    const actual = decision.obligations[key];
    if (JSON.stringify(actual) !== JSON.stringify(value)) {
      failures.push(`expected obligation ${key} = ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`);
    }
  }
  for (const reason of expected.reasons ?? []) {
    if (!decision.reasons.some((line) => line.includes(reason))) failures.push(`expected a reason containing "${reason}", got ${JSON.stringify(decision.reasons)}`);
  }
  return failures;
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  const a = [...new Set(left)].sort();
  const b = [...new Set(right)].sort();
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
