import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, CurrentPrincipal } from '@attest/identity/nest';
import { localTimeContext, type PolicyDecision } from '@attest/policy';
import { PolicyActivationService, PolicyEngineProvider, type StoredBundleSummary } from '@attest/policy/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { Body, Controller, Get, Header, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { parseBody } from './admin-http';
import { dryRunBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

const READERS = ['admin', 'policy-author', 'auditor'] as const;

/** The active policy bundle, the bundles stored before it, and a dry run that decides a request without serving it. */
@Controller('api/admin/policies')
@UseGuards(SameOriginGuard)
export class PoliciesController {
  constructor(
    private readonly activation: PolicyActivationService,
    private readonly engines: PolicyEngineProvider,
    private readonly registry: ModelRegistryService,
    private readonly acts: AdminActGate,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  @Authenticated({ roles: [...READERS] })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ activeSha256: string; bundles: StoredBundleSummary[] }> {
    return { activeSha256: this.engines.current().bundleSha256, bundles: await this.activation.list(principal.tenant) };
  }

  /**
   * Decides what the gateway would decide for a made-up caller (roles, groups) asking `model` with the given PII types,
   * with the bundle active now. The model is resolved as a real request resolves it, so its attributes are the real ones.
   */
  @Post('evaluate')
  @HttpCode(200)
  @Authenticated({ roles: [...READERS] })
  async evaluate(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<PolicyDecision> {
    const input = parseBody(dryRunBodySchema, body);
    await this.acts.authorize({ principal, action: 'evaluate_policy', resource: tenantResource('policy_bundle', principal.tenant), facts: actFactsOf(request) });
    const model = await this.registry.resolve(principal.tenant, input.model);
    return this.activation.evaluate(
      {
        principal: { id: 'dry-run', kind: 'user', tenant: principal.tenant, groups: input.groups, roles: input.roles },
        action: input.action,
        resource: {
          type: 'model',
          name: model.modelName,
          version: String(model.version),
          domain: model.domain,
          audience: model.audience,
          deployment: model.deployment,
          dataClassification: model.dataClassification,
        },
        context: {
          piiTypes: input.piiTypes,
          ...(input.dataClassification ? { dataClassification: input.dataClassification } : {}),
          ...localTimeContext(new Date(), this.engines.timeZoneOf(principal.tenant)),
        },
      },
      this.engines.current(),
    );
  }
}
