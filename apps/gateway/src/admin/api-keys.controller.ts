import { AdminActGate } from '@attest/governance/nest';
import type { ApiKeySummary, Principal } from '@attest/identity';
import { ApiKeyService, Authenticated, auditActorOf, CurrentPrincipal, type IssuedApiKey, RateLimited } from '@attest/identity/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { createKeyBodySchema, daysToMs, revokeKeyBodySchema, rotateKeyBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

/** API keys of the caller's tenant: list, create (the key is in this one answer only), rotate, revoke. */
@Controller('api/admin/keys')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['admin'] })
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly acts: AdminActGate,
  ) {}

  /** Every change to keys is decided by the active policy bundle (`manage_keys`); a refusal is audited. */
  private authorize(principal: Principal, request: FastifyRequest, keyId?: string): Promise<unknown> {
    return this.acts.authorize({ principal, action: 'manage_keys', resource: tenantResource('api_key', principal.tenant, keyId), facts: actFactsOf(request) });
  }

  @Get()
  @Header('cache-control', 'no-store')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ keys: ApiKeySummary[] }> {
    return { keys: await this.keys.list(principal.tenant) };
  }

  /** The answer holds the key in clear: never cached anywhere (RFC 9111 §5.2.2.5). */
  @Post()
  @RateLimited('key_admin')
  @Header('cache-control', 'no-store')
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<IssuedApiKey> {
    const { expiresInDays, ...rest } = parseBody(createKeyBodySchema, body);
    const expiresInMs = daysToMs(expiresInDays);
    await this.authorize(principal, request);
    return this.keys.create({ ...rest, ...(expiresInMs === undefined ? {} : { expiresInMs }) }, auditActorOf(principal, factsOf(request)));
  }

  @Post(':id/rotate')
  @RateLimited('key_admin')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async rotate(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    const { overlapHours } = parseBody(rotateKeyBodySchema, body);
    await this.authorize(principal, request, id);
    return this.keys.rotate(id, overlapHours === undefined ? {} : { overlapMs: overlapHours * 3_600_000 }, auditActorOf(principal, factsOf(request)));
  }

  @Post(':id/revoke')
  @RateLimited('key_admin')
  @HttpCode(200)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<ApiKeySummary> {
    const { reason } = parseBody(revokeKeyBodySchema, body);
    await this.authorize(principal, request, id);
    return this.keys.revoke(id, auditActorOf(principal, factsOf(request)), reason ?? null);
  }
}
