import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, CurrentPrincipal } from '@attest/identity/nest';
import { localTimeContext, PolicyError, PolicyErrorCode, type PolicyDecision } from '@attest/policy';
import { PolicyActivationService, PolicyBundleRepository, PolicyEngineProvider, type StoredBundleSummary } from '@attest/policy/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actFactsOf, tenantResource } from './admin-acts';
import { parseBody } from './admin-http';
import { dryRunBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

const READERS = ['admin', 'policy-author', 'auditor'] as const;

const bundleParamSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a bundle SHA-256 as 64 lowercase hex digits') });

/** `GET /api/admin/policies/:sha256`: a bundle's schema and policy files, for history and diffs in the portal. */
export interface PolicyBundleSources {
  sha256: string;
  active: boolean;
  signed: boolean;
  files: Readonly<Record<string, string>>;
}

/** The active policy bundle, the bundles stored before it, and a dry run that decides a request without serving it. */
@Controller('api/admin/policies')
@UseGuards(SameOriginGuard)
export class PoliciesController {
  constructor(
    private readonly activation: PolicyActivationService,
    private readonly bundles: PolicyBundleRepository,
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
   * The files of a stored bundle, or of the active one (which may come from the policy folder and be stored nowhere).
   * Read-only, for the same readers as the list: the sources are what the list's hashes stand for.
   */
  @Get(':sha256')
  @Header('cache-control', 'no-store')
  @Authenticated({ roles: [...READERS] })
  async sources(@CurrentPrincipal() principal: Principal, @Param('sha256') sha256: string): Promise<PolicyBundleSources> {
    const wanted = parseBody(bundleParamSchema, { sha256 }).sha256;
    const engine = this.engines.current();
    const bundle = (await this.bundles.findBySha256(principal.tenant, wanted)) ?? (wanted === engine.bundleSha256 ? engine.bundle : undefined);
    if (!bundle) throw new PolicyError(PolicyErrorCode.BundleNotFound, `no policy bundle ${wanted} is stored for this tenant`);
    return { sha256: bundle.sha256, active: bundle.sha256 === engine.bundleSha256, signed: bundle.signature !== undefined, files: bundle.files };
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
