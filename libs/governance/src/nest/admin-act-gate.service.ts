import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import type { Principal } from '@attest/identity';
import { auditActorOf } from '@attest/identity/nest';
import { localTimeContext, type PolicyAdminResource, type PolicyDecision, type PolicyResource } from '@attest/policy';
import { PolicyEngineProvider } from '@attest/policy/nest';
import { inSpan } from '@attest/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { policyOf } from '../core/audit-drafts';
import type { GovernanceConfig } from '../core/governance.config';
import { GovernanceError, GovernanceErrorCode } from '../core/governance.errors';
import { GOVERNANCE_CONFIG } from './governance.tokens';

/** The admin and audit actions the schema declares (policies/attest.cedarschema, `action ... in [admin]`). */
export type AdminAction =
  | 'register_model'
  | 'approve_model'
  | 'promote_model'
  | 'deprecate_model'
  | 'retire_model'
  | 'manage_aliases'
  | 'read_audit'
  | 'verify_audit'
  | 'export_audit'
  | 'evaluate_policy'
  | 'activate_policy'
  | 'manage_keys'
  | 'erase_data_subject'
  | 'read_raw_content'
  | 'hold_audit'
  | 'release_audit_hold'
  | 'apply_audit_retention'
  | 'read_identity';

export interface AdminActRequest {
  principal: Principal;
  action: AdminAction;
  /** The schema's resource: a model version (with `registeredBy` for four-eyes), or `audit_log`, `api_key`, ... */
  resource: PolicyResource | PolicyAdminResource;
  facts: { requestId?: string; sourceIp?: string; userAgent?: string };
}

/**
 * The admin API asks the same Cedar engine as inference before it acts (issue #6): roles on the route are the floor,
 * the active bundle decides. A refusal is committed to the audit log as `admin.denied` with the whole decision before
 * the 403, so a probing insider leaves evidence; an allowed act is recorded by the service that performs it.
 */
@Injectable()
export class AdminActGate {
  constructor(
    private readonly policies: PolicyEngineProvider,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
    @Inject(GOVERNANCE_CONFIG) private readonly config: Pick<GovernanceConfig, 'policyEnabled'>,
  ) {}

  async authorize(request: AdminActRequest): Promise<PolicyDecision | undefined> {
    // Policy switched off (benchmarks only): the role floor on each route still applies.
    if (!this.config.policyEnabled) return undefined;
    const { principal, action, resource, facts } = request;
    const decision = await inSpan('attest.policy_decision', { 'attest.admin.action': action }, () =>
      this.policies.current().decide({
        principal: { id: principal.id, kind: principal.kind, tenant: principal.tenant, groups: principal.groups, roles: principal.roles },
        action,
        resource,
        context: {
          piiTypes: [],
          ...(facts.sourceIp ? { sourceIp: facts.sourceIp } : {}),
          sourceNetwork: this.policies.networkOf(facts.sourceIp),
          ...localTimeContext(new Date(), this.policies.timeZoneOf(principal.tenant)),
        },
      }),
    );
    if (decision.decision === 'allow') return decision;
    await this.audit.record({
      action: 'admin.denied',
      outcome: 'denied',
      actor: auditActorOf(principal, facts),
      tenant: principal.tenant,
      resource: { type: resource.type, ...(typeof resource['id'] === 'string' ? { id: resource['id'] } : {}), ...(typeof resource['name'] === 'string' ? { name: resource['name'] } : {}) },
      ...(facts.requestId ? { requestId: facts.requestId } : {}),
      policy: policyOf(decision),
      details: { adminAction: action, reasons: decision.reasons },
    });
    const named = decision.policyIds.length > 0 ? decision.policyIds.join(', ') : 'no policy permits this act';
    const why = decision.reasons.length > 0 ? ` (${decision.reasons.join('; ')})` : '';
    throw new GovernanceError(GovernanceErrorCode.PolicyDenied, `Denied by policy: ${named}${why}.`, { policyIds: decision.policyIds, reasons: decision.reasons });
  }
}
