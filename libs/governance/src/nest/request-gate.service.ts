import { AUDIT_RECORDER, type AuditEventDraft, type AuditReceipt, type AuditRecorder, RAW_CONTENT_SEALER, type RawContentSealer, type SealedRawContent } from '@attest/contracts';
import { IdentityError, IdentityErrorCode, isModelInScope, type Principal } from '@attest/identity';
import { InferenceRuntime, type ModelSpec } from '@attest/inference';
import { countFindings, type OperatorPolicy, type PiiEngine, PiiError, PiiErrorCode, type PiiFinding } from '@attest/pii';
import { PII_ENGINE } from '@attest/pii/nest';
import type { PolicyDecision } from '@attest/policy';
import { PolicyEngineProvider, QuotaService } from '@attest/policy/nest';
import { QuotaError } from '@attest/policy';
import type { ResolvedModel } from '@attest/registry';
import { ModelRegistryService } from '@attest/registry/nest';
import { GatewayMetrics, inSpan } from '@attest/telemetry';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { requestEvent, type RequestEventInput, type RequestMeta } from '../core/audit-drafts';
import type { GovernanceConfig } from '../core/governance.config';
import { LocalTimeMemo } from '../core/local-time-memo';
import { GovernanceError, GovernanceErrorCode } from '../core/governance.errors';
import { GOVERNANCE_CONFIG } from './governance.tokens';
import { TokenUsageRecorder } from './token-usage.recorder';

export type GovernedAction = 'chat' | 'completion' | 'embedding';

export interface GateRequest {
  principal: Principal;
  meta: RequestMeta;
  action: GovernedAction;
  model: string;
  /** Every piece of caller text the model will see, in order. */
  inputs: string[];
  maxTokens?: number | null;
}

/** A request that passed the gate: its request event is committed and its inputs are transformed. */
export interface AdmittedCall {
  model: ResolvedModel;
  spec: ModelSpec;
  decision: PolicyDecision;
  redaction: OperatorPolicy;
  texts: string[];
  pii: Record<string, number>;
  /** Set where the tenant keeps raw content: the data subject whose key seals the answer too. */
  rawSubject?: string;
}

/**
 * Steps 3–7 of the request path: resolve the model, check the key's scope, inspect the input for PII, decide with
 * the active policy, transform per its obligations, and commit the `inference.request` event. A denial is audited
 * before it is thrown; a commit that fails refuses the request before any inference happens (fail closed).
 */
@Injectable()
export class RequestGateService implements OnModuleInit {
  private readonly localTime = new LocalTimeMemo();

  constructor(
    private readonly registry: ModelRegistryService,
    @Inject(PII_ENGINE) private readonly pii: PiiEngine,
    private readonly policies: PolicyEngineProvider,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
    private readonly quotas: QuotaService,
    private readonly tokenUsage: TokenUsageRecorder,
    private readonly runtime: InferenceRuntime,
    @Inject(GOVERNANCE_CONFIG) private readonly config: Pick<GovernanceConfig, 'piiEnabled' | 'policyEnabled'>,
    @Optional() private readonly metrics?: GatewayMetrics,
    @Optional() @Inject(RAW_CONTENT_SEALER) private readonly sealer?: RawContentSealer,
  ) {}

  onModuleInit(): void {
    const logger = new Logger('governance');
    if (!this.config.piiEnabled) logger.warn('PII inspection is OFF (ATTEST_PII_ENABLED=false): prompts and answers pass unscanned.');
    if (!this.config.policyEnabled) logger.warn(`Policy is OFF (ATTEST_POLICY_ENABLED=false): requests are admitted as ${POLICY_DISABLED_ID}.`);
  }

  async admit(request: GateRequest): Promise<AdmittedCall> {
    const model = await inSpan('attest.resolve_model', { 'gen_ai.request.model': request.model }, () =>
      this.registry.resolve(request.principal.tenant, request.model),
    );
    checkScope(request.principal, model, request.model);
    const findings = await inSpan('attest.pii_scan', { 'attest.pii.inputs': request.inputs.length }, () =>
      request.inputs.map((text) => (this.config.piiEnabled ? this.analyze(text) : [])),
    );
    const pii = countFindings(findings.flat());
    for (const [type, count] of Object.entries(pii)) this.metrics?.piiFindings.inc({ type, stage: 'input' }, count);
    const decision = await inSpan('attest.policy_decision', {}, (span) => {
      const made = this.config.policyEnabled ? this.decide(request, model, Object.keys(pii)) : policyDisabledDecision();
      span.setAttributes({ 'attest.policy.decision': made.decision, 'attest.policy.bundle': made.bundleSha256 });
      return made;
    });
    const redaction = redactionPolicy(decision.obligations.redact);
    const texts = request.inputs.map((text, index) => this.redact(text, findings[index] ?? [], redaction));
    // What the log keeps in the clear: the text with every finding replaced, whatever the model saw. Unredacted text is
    // kept only sealed under the data subject's key (raw capture), and never for a deny or `store_raw_content:false`.
    const keepsRaw = decision.decision === 'allow' && decision.obligations.storeRawContent;
    const prompt = request.inputs.map((text, index) => this.redactAll(text, findings[index] ?? [])).join('\n');
    const event = { action: request.action, principal: request.principal, meta: request.meta, model, decision, pii, prompt };
    if (decision.decision === 'deny') {
      for (const policyId of decision.policyIds.length > 0 ? decision.policyIds : ['(default deny)']) this.metrics?.policyDenials.inc({ policy_id: policyId });
      await this.commit(requestEvent(event, 'denied'));
      // Name only the policies that denied, with their stated reasons; the audit event holds the whole decision.
      const named = decision.policyIds.length > 0 ? decision.policyIds.join(', ') : 'no policy permits this request';
      const why = decision.reasons.length > 0 ? ` (${decision.reasons.join('; ')})` : '';
      throw new GovernanceError(GovernanceErrorCode.PolicyDenied, `Denied by policy: ${named}${why}.`, {
        policyIds: decision.policyIds,
        reasons: decision.reasons,
      });
    }
    await this.verifyBeforeLoad(model, request.principal);
    await this.admitQuota(request, decision, event);
    const rawSubject = keepsRaw ? this.rawSubjectOf(request) : undefined;
    const sealedRaw = rawSubject ? await this.sealRaw(request.principal.tenant, rawSubject, { prompt: request.inputs.join('\n') }) : undefined;
    await this.commit(requestEvent({ ...event, ...(sealedRaw ? { sealedRaw } : {}) }, 'success'));
    return { model, spec: toModelSpec(model), decision, redaction, texts, pii, ...(rawSubject ? { rawSubject } : {}) };
  }

  /**
   * Raw capture (crypto-shredding): a tenant that enabled it keeps the unredacted text of allowed requests, sealed
   * under the data subject's key (`x-attest-data-subject`, else the caller). A `store_raw_content:false` obligation
   * and every deny keep nothing raw.
   */
  private rawSubjectOf(request: GateRequest): string | undefined {
    if (!this.sealer?.capturesRaw(request.principal.tenant)) return undefined;
    return request.meta.dataSubjectId ?? request.principal.id;
  }

  /** Seals raw text for the audit log; failing to seal refuses the request (the log must hold what was promised). */
  sealRaw(tenant: string, subjectId: string, content: { prompt?: string; response?: string }): Promise<SealedRawContent> {
    const sealer = this.sealer;
    if (!sealer) throw new Error('raw capture without a sealer');
    return inSpan('attest.raw_content_seal', {}, () => sealer.seal(tenant, subjectId, content));
  }

  /** Commits one audit event (span + commit latency); a rejection propagates, refusing the act it records. */
  commit(event: AuditEventDraft): Promise<AuditReceipt> {
    const record = () => this.audit.record(event);
    return inSpan('attest.audit_commit', { 'attest.audit.action': event.action }, () => (this.metrics ? this.metrics.timeAuditCommit(record) : record()));
  }

  /**
   * Weights not yet loaded are hashed against the registry first: a mismatch refuses the request (503), raises the
   * integrity alert metric and is audited; a match is audited as load evidence. Loaded versions skip the hash.
   */
  private async verifyBeforeLoad(model: ResolvedModel, principal: Principal): Promise<void> {
    if (model.source.kind !== 'local_gguf') return;
    if (this.runtime.stats().loadedModels.some((loaded) => loaded.versionId === model.versionId)) return;
    await inSpan('attest.integrity_check', { 'gen_ai.request.model': model.modelName }, () => this.registry.verifyIntegrity(model, principal));
  }

  /**
   * Rate and token quotas from the policy's obligations; a refusal is audited like a policy denial (429). Counters that
   * cannot be moved (the database takes no writes: disk full, read-only) refuse the request too, and that refusal is
   * recorded as a failure; when the whole database refuses writes the record fails as well, which the audit failure
   * alert counts, so such a database never refuses requests unnoticed.
   */
  private async admitQuota(request: GateRequest, decision: PolicyDecision, event: RequestEventInput): Promise<void> {
    try {
      await this.quotas.admit(quotaSubjectOf(request.principal), decision.obligations.quotas ?? []);
    } catch (error) {
      if (error instanceof QuotaError) await this.commit(requestEvent(event, 'denied', { reasons: [error.message] }));
      else await this.commit(requestEvent(event, 'failure', { reasons: ['the quota counters could not be updated, so the request was refused'] }));
      throw error;
    }
  }

  /** Adds a served request's tokens to its daily token budgets (batched: written within a second). */
  recordTokens(principal: Principal, decision: PolicyDecision, tokens: number): void {
    this.tokenUsage.record(quotaSubjectOf(principal), decision.obligations.quotas ?? [], tokens);
  }

  /** Scans generated text; a failing scanner refuses rather than lets unscanned text through. */
  analyze(text: string, entities?: readonly string[]): PiiFinding[] {
    try {
      return this.pii.analyze(text, entities ? { entities: [...entities] } : undefined);
    } catch (error) {
      // Text over the engine's length bound is the caller's to shorten (413), not an inspection that failed (503).
      if (error instanceof PiiError && error.code === PiiErrorCode.InputTooLong) throw error;
      throw new GovernanceError(
        GovernanceErrorCode.InspectionFailed,
        `PII inspection failed, so the request was refused (${error instanceof Error ? error.name : 'error'}).`,
      );
    }
  }

  private decide(request: GateRequest, model: ResolvedModel, piiTypes: string[]): PolicyDecision {
    const { principal } = request;
    return this.policies.current().decide({
      principal: { id: principal.id, kind: principal.kind, tenant: principal.tenant, groups: principal.groups, roles: principal.roles },
      action: request.action,
      resource: {
        type: 'model',
        name: model.modelName,
        version: String(model.version),
        domain: model.domain,
        audience: model.audience,
        deployment: model.deployment,
        dataClassification: model.dataClassification,
        status: model.status,
        tenant: model.tenant ?? principal.tenant,
      },
      context: {
        piiTypes,
        maxTokens: request.maxTokens ?? undefined,
        // A cheap estimate before tokenisation (about four characters a token): enough for a size rule, never content.
        estimatedTokens: Math.ceil(request.inputs.reduce((sum, text) => sum + text.length, 0) / 4),
        sourceIp: request.meta.sourceIp,
        sourceNetwork: this.policies.networkOf(request.meta.sourceIp),
        dataClassification: request.meta.dataClassification,
        ...this.localTime.of(new Date(), this.policies.timeZoneOf(principal.tenant)),
      },
    });
  }

  /** Every finding replaced by its typed placeholder: what the audit log keeps when raw content may not be stored. */
  redactAll(text: string, findings: PiiFinding[]): string {
    return this.redact(text, findings, EVERY_TYPE);
  }

  private redact(text: string, findings: PiiFinding[], redaction: OperatorPolicy): string {
    const relevant = findings.filter((finding) => finding.type in redaction || '*' in redaction);
    return relevant.length === 0 ? text : this.pii.transform(text, relevant, redaction).text;
  }
}

/** With ATTEST_POLICY_ENABLED=false every in-scope request is admitted; the log says so on every event. */
export const POLICY_DISABLED_ID = 'attest:policy-disabled';

function policyDisabledDecision(): PolicyDecision {
  return {
    decision: 'allow',
    policyIds: [POLICY_DISABLED_ID],
    reasons: ['policy evaluation is turned off by ATTEST_POLICY_ENABLED=false'],
    obligations: { redact: [], storeRawContent: true },
    bundleSha256: POLICY_DISABLED_ID,
    errors: [],
  };
}

const EVERY_TYPE: OperatorPolicy = { '*': { operator: 'replace' } };

function quotaSubjectOf(principal: Principal) {
  return { tenant: principal.tenant, principalId: principal.id, keyId: principal.keyId, teams: principal.groups };
}

/** A key scoped to `support*` may use the model by the name it asked for, its registry name or its alias. */
function checkScope(principal: Principal, model: ResolvedModel, requested: string): void {
  const names = [requested, model.modelName, model.alias].filter((name): name is string => Boolean(name));
  if (!names.some((name) => isModelInScope(principal, name))) {
    throw new IdentityError(IdentityErrorCode.ModelNotInScope, `This key may not use model "${requested}".`);
  }
}

/** Obligation `redact:PERSON,EMAIL_ADDRESS` → typed placeholders for those entity types (`*` for every type). */
export function redactionPolicy(types: string[]): OperatorPolicy {
  return Object.fromEntries(types.map((type) => [type, { operator: 'replace' as const }]));
}

/** The runtime's view of a resolved version; local weights carry their approved sha256, checked before load. */
export function toModelSpec(model: ResolvedModel): ModelSpec {
  const source: ModelSpec['source'] =
    model.source.kind === 'local_gguf'
      ? {
          kind: 'local_gguf',
          path: model.source.path,
          sha256: model.sha256 ?? model.source.sha256,
          loraAdapters: model.loraAdapters.map((adapter) => ({ path: adapter.path, scale: adapter.scale })),
        }
      : { kind: 'remote_openai', endpoints: model.source.endpoints, servedModel: model.source.servedModel };
  return { versionId: model.versionId, name: model.modelName, source, contextSize: model.contextLength };
}
