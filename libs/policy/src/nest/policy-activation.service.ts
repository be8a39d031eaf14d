import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyBundle } from '../core/policy-bundle';
import { PolicyEngine } from '../core/policy-engine';
import { PolicyError, PolicyErrorCode } from '../core/policy.errors';
import type { PolicyDecision, PolicyRequest } from '../core/policy.types';
import { PolicyBundleRepository } from './policy-bundle.repository';
import { PolicySignaturePolicy } from './policy-signature';

export interface ActivationResult {
  id: string;
  sha256: string;
  previousSha256?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Stores and activates policy bundles for a tenant. An activation is one transaction that commits only once the
 * `policy_bundle.activated` audit event is committed (fail closed); a refused bundle is audited as a failure and the
 * active bundle stays. Constructible without Nest, so `attest policies activate` uses the same code.
 */
@Injectable()
export class PolicyActivationService {
  private readonly repository: PolicyBundleRepository;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
    private readonly signatures: PolicySignaturePolicy,
  ) {
    this.repository = new PolicyBundleRepository(dataSource);
  }

  /**
   * Validates (and, when required, verifies the signature of) `bundle`, stores it and makes it the tenant's active
   * bundle. Replicas pick it up on their next reload check.
   *
   * @example
   * await activation.activate(await PolicyBundle.fromDirectory('policies'), { tenant: 'default', actor });
   */
  async activate(bundle: PolicyBundle, options: { tenant: string; actor: AuditActor }): Promise<ActivationResult> {
    const { tenant, actor } = options;
    const resource = { type: 'policy_bundle', sha256: bundle.sha256 };
    const previousSha256 = await this.repository.activeSha256(tenant);
    try {
      bundle.assertValid();
      this.signatures.check(bundle);
    } catch (error) {
      if (error instanceof PolicyError) {
        await this.audit.record({
          action: 'policy_bundle.activation_refused',
          outcome: 'failure',
          actor,
          tenant,
          resource,
          details: { code: error.code, problems: error.problems.slice(0, 20) },
        });
      }
      throw error;
    }
    const principalId = UUID.test(actor.principalId) ? actor.principalId : null;
    return this.dataSource.transaction(async (manager) => {
      const id = await this.repository.save(tenant, bundle, principalId, manager);
      await this.repository.markActivated(id, principalId, manager);
      await this.audit.record({
        action: 'policy_bundle.activated',
        outcome: 'success',
        actor,
        tenant,
        resource: { ...resource, id },
        details: {
          files: Object.keys(bundle.files).length,
          policies: bundle.compile().policies.size,
          signed: bundle.signature !== undefined,
          ...(previousSha256 ? { previousSha256 } : {}),
        },
      });
      return { id, sha256: bundle.sha256, ...(previousSha256 ? { previousSha256 } : {}) };
    });
  }

  /** Re-activates a bundle stored earlier (a rollback), by its sha256. */
  async activateStored(sha256: string, options: { tenant: string; actor: AuditActor }): Promise<ActivationResult> {
    const bundle = await this.repository.findBySha256(options.tenant, sha256);
    if (!bundle) throw new PolicyError(PolicyErrorCode.BundleNotFound, `no stored policy bundle ${sha256} for tenant ${options.tenant}`);
    return this.activate(bundle, options);
  }

  /**
   * Dry run for `POST /api/admin/policies/evaluate`: decides `request` with a candidate bundle (before activating it)
   * or, without one, with the given engine. Nothing is stored.
   */
  evaluate(request: PolicyRequest, engine: PolicyEngine, candidate?: PolicyBundle): PolicyDecision {
    return (candidate ? new PolicyEngine(candidate) : engine).decide(request);
  }

  list(tenant: string) {
    return this.repository.list(tenant);
  }
}
