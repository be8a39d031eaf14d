import type { Principal } from '@attest/identity';
import { Authenticated, CurrentPrincipal } from '@attest/identity/nest';
import { parseVersionRef, type RegistryActor } from '@attest/registry';
import { type AliasRecord, ModelRegistryService, type VersionRecord } from '@attest/registry/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
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
  constructor(private readonly registry: ModelRegistryService) {}

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
  approve(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string, @Body() body: unknown): Promise<VersionRecord> {
    const { comment } = parseBody(approveBodySchema, body);
    return this.registry.approve(parseVersionRef(ref), actorOf(principal), comment);
  }

  @Post(':ref/promote')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  promote(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string): Promise<VersionRecord> {
    return this.registry.promote(parseVersionRef(ref), actorOf(principal));
  }

  /** active → deprecated: still served when named, flagged so clients move on; promote brings it back (a rollback). */
  @Post(':ref/deprecate')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  deprecate(@CurrentPrincipal() principal: Principal, @Param('ref') ref: string): Promise<VersionRecord> {
    return this.registry.deprecate(parseVersionRef(ref), actorOf(principal));
  }

  @Put('aliases/:name')
  @Authenticated({ roles: ['admin'] })
  setAlias(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body() body: unknown): Promise<AliasRecord> {
    const { targets, reason } = parseBody(aliasTargetsBodySchema, body);
    const specs = targets.map((target) => ({ ref: { model: target.model, version: target.version }, weight: target.weight }));
    return this.registry.setAlias({ name, targets: specs, ...(reason ? { reason } : {}) }, actorOf(principal));
  }

  @Post('aliases/:name/rollback')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  rollbackAlias(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body() body: unknown): Promise<AliasRecord> {
    const { toRevision, reason } = parseBody(rollbackAliasBodySchema, body);
    return this.registry.rollbackAlias({ name, ...(toRevision ? { toRevision } : {}), ...(reason ? { reason } : {}) }, actorOf(principal));
  }
}
