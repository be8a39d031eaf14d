import type { CompiledBundle } from './bundle-compiler';
import { cedar, type DetailedError } from './cedar';
import { mergeObligations, noObligations } from './obligations';
import type { PolicyBundle } from './policy-bundle';
import type { PolicyDecision, PolicyRequest } from './policy.types';
import { toCedarRequest } from './request-mapper';
import { RequestMappingError } from './schema-shapes';

/** Shown to callers when no permit matched: Cedar denies by default. */
export const DEFAULT_DENY_REASON = 'no policy permits this request';

/**
 * Decides requests with a Cedar bundle parsed once. Fails closed: an invalid bundle, a request the schema does not
 * accept, or any policy that errors during evaluation gives a deny, never an allow. The bundle can be swapped at run
 * time ({@link PolicyEngine.replaceBundle}); a decision always sees one bundle, old or new, never a mix.
 *
 * @example
 * const engine = new PolicyEngine(await PolicyBundle.fromDirectory('policies'));
 * const decision = engine.decide({
 *   principal: { id: 'u1', kind: 'user', tenant: 'default', groups: ['clinicians'], roles: ['developer'] },
 *   action: 'chat',
 *   resource: { type: 'model', name: 'triage', version: '1', domain: 'medical', audience: 'internal',
 *     deployment: 'on_prem', dataClassification: 'confidential' },
 *   context: { piiTypes: ['PERSON'], ...localTimeContext(new Date(), 'Europe/Berlin') },
 * });
 * if (decision.decision === 'deny') throw new Error(decision.policyIds.join(', '));
 */
export class PolicyEngine {
  private active: { bundle: PolicyBundle; compiled: CompiledBundle };

  constructor(bundle: PolicyBundle) {
    this.active = { bundle, compiled: bundle.compile() };
  }

  get bundleSha256(): string {
    return this.active.bundle.sha256;
  }

  get bundle(): PolicyBundle {
    return this.active.bundle;
  }

  /** Problems of the active bundle; non-empty means every decision is a deny. */
  get problems(): readonly string[] {
    return this.active.compiled.problems;
  }

  /**
   * Makes `bundle` the active one if it is valid; otherwise throws POLICY_BUNDLE_INVALID and keeps the current
   * bundle (the last good one stays active).
   */
  replaceBundle(bundle: PolicyBundle): void {
    bundle.assertValid();
    this.active = { bundle, compiled: bundle.compile() };
  }

  decide(request: PolicyRequest): PolicyDecision {
    const { bundle, compiled } = this.active;
    const deny = (policyIds: string[], reasons: string[], errors: string[]): PolicyDecision => ({
      decision: 'deny',
      policyIds,
      reasons,
      obligations: noObligations(),
      bundleSha256: bundle.sha256,
      errors,
    });
    if (compiled.problems.length > 0 || !compiled.shapes) {
      return deny([], ['the active policy bundle is invalid'], compiled.problems.slice(0, 20));
    }
    try {
      const call = toCedarRequest(request, compiled.shapes);
      const answer = cedar.statefulIsAuthorized({
        ...call,
        preparsedSchemaName: compiled.cacheKey,
        preparsedPolicySetId: compiled.actionSetKeys.get(request.action) ?? compiled.cacheKey,
        validateRequest: true,
      });
      if (answer.type === 'failure') {
        return deny([], ['the request does not match the policy schema'], answer.errors.map(messageOf));
      }
      const { decision, diagnostics } = answer.response;
      if (diagnostics.errors.length > 0) {
        // Cedar skips a policy that errors; a skipped forbid would let the request through, so any error denies.
        const failed = [...new Set(diagnostics.errors.map((error) => error.policyId))].sort();
        return deny(
          failed,
          failed.map((id) => `policy ${id} could not be evaluated`),
          diagnostics.errors.map((error) => `${error.policyId}: ${messageOf(error.error)}`),
        );
      }
      const determining = [...diagnostics.reason].sort();
      const policies = determining.map((id) => compiled.policies.get(id));
      if (decision === 'allow') {
        return {
          decision,
          policyIds: determining,
          reasons: determining.map((id, index) => policies[index]?.reason ?? `permitted by ${id}`),
          obligations: mergeObligations(policies.map((policy) => policy?.obligations ?? [])),
          bundleSha256: bundle.sha256,
          errors: [],
        };
      }
      if (determining.length === 0) return deny([], [DEFAULT_DENY_REASON], []);
      return deny(determining, determining.map((id, index) => policies[index]?.reason ?? `forbidden by ${id}`), []);
    } catch (error) {
      if (error instanceof RequestMappingError) return deny([], ['the request does not match the policy schema'], [error.message]);
      return deny([], ['policy evaluation failed'], [error instanceof Error ? error.message : String(error)]);
    }
  }
}

function messageOf(error: DetailedError): string {
  return error.help ? `${error.message} (${error.help})` : error.message;
}
