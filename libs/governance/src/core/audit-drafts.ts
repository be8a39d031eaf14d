import type { AuditActor, AuditEventDraft, AuditOutcome, AuditPolicyDecision, AuditResource, SealedRawContent } from '@attest/contracts';
import type { Principal } from '@attest/identity';
import { describeObligations, type PolicyDecision } from '@attest/policy';
import type { ResolvedModel } from '@attest/registry';

/** Where a request came from, as the audit log records it. */
export interface RequestMeta {
  requestId: string;
  traceId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The caller's declaration of how sensitive the data is (a policy input), from `x-attest-data-classification`. */
  dataClassification?: string;
  /** Whose personal data the request carries (`x-attest-data-subject`); raw capture keys it. Never stored in clear. */
  dataSubjectId?: string;
}

export function actorOf(principal: Principal, meta: RequestMeta): AuditActor {
  return {
    principalId: principal.id,
    kind: principal.kind,
    tenant: principal.tenant,
    authMethod: principal.authMethod,
    keyId: principal.keyId,
    sessionId: principal.sessionId,
    sourceIp: meta.sourceIp,
    userAgent: meta.userAgent,
  };
}

export function modelResource(model: ResolvedModel): AuditResource {
  return {
    type: 'model_version',
    id: model.versionId,
    name: model.modelName,
    version: String(model.version),
    sha256: model.sha256 ?? undefined,
    alias: model.alias,
  };
}

export function policyOf(decision: PolicyDecision): AuditPolicyDecision {
  return {
    bundleSha256: decision.bundleSha256,
    decision: decision.decision,
    policyIds: decision.policyIds,
    obligations: describeObligations(decision.obligations),
  };
}

export interface RequestEventInput {
  action: string;
  principal: Principal;
  meta: RequestMeta;
  model: ResolvedModel;
  decision: PolicyDecision;
  pii: Record<string, number>;
  /** The prompt as it goes to the model: already transformed per the policy's obligations. */
  prompt: string;
  /** Raw text sealed under the data subject's key, where the tenant enabled raw capture. */
  sealedRaw?: SealedRawContent;
}

/** `inference.request`: committed before inference starts, or the request is refused. */
export function requestEvent(
  input: RequestEventInput,
  outcome: Extract<AuditOutcome, 'success' | 'denied' | 'failure'>,
  denial?: { reasons: string[] },
): AuditEventDraft {
  return {
    action: 'inference.request',
    outcome,
    actor: actorOf(input.principal, input.meta),
    tenant: input.principal.tenant,
    resource: modelResource(input.model),
    requestId: input.meta.requestId,
    traceId: input.meta.traceId,
    policy: policyOf(input.decision),
    pii: input.pii,
    details: { operation: input.action, ...(outcome !== 'success' ? { reasons: denial?.reasons ?? input.decision.reasons } : {}) },
    payload: { prompt: input.prompt, ...(input.sealedRaw ? { sealedRaw: input.sealedRaw } : {}) },
  };
}

export interface ResponseEventInput extends Omit<RequestEventInput, 'prompt' | 'pii' | 'sealedRaw'> {
  sealedRaw?: SealedRawContent;
  outcome: Extract<AuditOutcome, 'success' | 'aborted' | 'failure'>;
  response: string;
  usage: { promptTokens: number; completionTokens: number };
  latencyMs: number;
  pii: Record<string, number>;
  finishReason?: string;
  errorCode?: string;
}

/** `inference.response`: committed before the last byte (the JSON body, or `data: [DONE]`) goes out. */
export function responseEvent(input: ResponseEventInput): AuditEventDraft {
  return {
    action: 'inference.response',
    outcome: input.outcome,
    actor: actorOf(input.principal, input.meta),
    tenant: input.principal.tenant,
    resource: modelResource(input.model),
    requestId: input.meta.requestId,
    traceId: input.meta.traceId,
    policy: policyOf(input.decision),
    pii: input.pii,
    usage: input.usage,
    latencyMs: Math.round(input.latencyMs),
    details: {
      operation: input.action,
      ...(input.finishReason ? { finishReason: input.finishReason } : {}),
      ...(input.errorCode ? { errorCode: input.errorCode } : {}),
    },
    payload: { response: input.response, ...(input.sealedRaw ? { sealedRaw: input.sealedRaw } : {}) },
  };
}
