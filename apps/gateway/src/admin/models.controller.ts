import type { Principal } from '@attest/identity';
import { AdminActGate, type AdminAction } from '@attest/governance/nest';
import { Authenticated, CurrentPrincipal } from '@attest/identity/nest';
import { parseVersionRef, type RegistryActor, type VersionRef } from '@attest/registry';
import { type AliasRecord, ModelRegistryService, type VersionRecord } from '@attest/registry/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, findModelEntity, tenantResource } from './admin-acts';
import { parseBody } from './admin-http';
import { approveBodySchema, rollbackAliasBodySchema, aliasTargetsBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

/** A principal is a registry actor as is (id, kind, tenant, roles, auth method); four-eyes compares the ids. */
function actorOf(principal: Principal): RegistryActor {
  return principal;
}

/** The model registry for admins and approvers: versions with their GGUF metadata, approval, promotion, aliases. */
@Controller('api/admin/models')
@UseGuards(SameOriginGuard)
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly acts: AdminActGate,
  ) {}

  /** The active policy bundle decides every change (roles on the route are the floor); a refusal is audited. */
  private async authorizeVersionAct(principal: Principal, action: AdminAction, ref: VersionRef, request: FastifyRequest): Promise<void> {
    const resource = await findModelEntity(this.registry, principal.tenant, ref);
    if (resource) await this.acts.authorize({ principal, action, resource, facts: actFactsOf(request) });
  }

  private authorizeAliasAct(principal: Principal, name: string, request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action: 'manage_aliases', resource: tenantResource('model_alias', principal.tenant, name), facts: actFactsOf(request) });
  }

  @Get()
  @Header('cache-control', 'no-store')
  @Authenticated({ roles: ['admin', 'model-approver', 'auditor'] })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ versions: VersionRecord[]; aliases: AliasRecord[] }> {
    const [versions, aliases] = await Promise.all([this.registry.listVersions(principal.tenant), this.registry.listAliases(principal.tenant)]);
    return { versions, aliases };
  }

  /** Four-eyes is the registry's rule: the approver holds model-approver and did not register the version. */
  @Post(':ref/approve')
  @HttpCode(200)
  @Authenticated({ roles: ['model-approver'] })
  async approve(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<VersionRecord> {
    const { comment } = parseBody(approveBodySchema, body);
    const version = parseVersionRef(ref);
    await this.authorizeVersionAct(principal, 'approve_model', version, request);
    return this.registry.approve(version, actorOf(principal), comment);
  }

  @Post(':ref/promote')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  async promote(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string, @Req() request: FastifyRequest): Promise<VersionRecord> {
    const version = parseVersionRef(ref);
    await this.authorizeVersionAct(principal, 'promote_model', version, request);
    return this.registry.promote(version, actorOf(principal));
  }

  /** active → deprecated: still served when named, flagged so clients move on; promote brings it back (a rollback). */
  @Post(':ref/deprecate')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  async deprecate(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string, @Req() request: FastifyRequest): Promise<VersionRecord> {
    const version = parseVersionRef(ref);
    await this.authorizeVersionAct(principal, 'deprecate_model', version, request);
    return this.registry.deprecate(version, actorOf(principal));
  }

  @Put('aliases/:name')
  @Authenticated({ roles: ['admin'] })
  async setAlias(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<AliasRecord> {
    const { targets, reason } = parseBody(aliasTargetsBodySchema, body);
    await this.authorizeAliasAct(principal, name, request);
    const specs = targets.map((target) => ({ ref: { model: target.model, version: target.version }, weight: target.weight }));
    return this.registry.setAlias({ name, targets: specs, ...(reason ? { reason } : {}) }, actorOf(principal));
  }

  @Post('aliases/:name/rollback')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  async rollbackAlias(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<AliasRecord> {
    const { toRevision, reason } = parseBody(rollbackAliasBodySchema, body);
    await this.authorizeAliasAct(principal, name, request);
    return this.registry.rollbackAlias({ name, ...(toRevision ? { toRevision } : {}), ...(reason ? { reason } : {}) }, actorOf(principal));
  }
}
