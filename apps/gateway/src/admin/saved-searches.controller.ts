import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { saveSearchBodySchema } from './admin-requests';
import { type SavedSearch, SavedSearchService } from './saved-search.service';
import { SameOriginGuard } from './same-origin.guard';

/** The auditor console's saved searches: each person's own, beside the search they replay (`/api/audit/events`). */
@Controller('api/audit/saved-searches')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['auditor', 'admin'] })
export class SavedSearchesController {
  constructor(
    private readonly searches: SavedSearchService,
    private readonly acts: AdminActGate,
  ) {}

  /** A saved search is a way of reading the log: the active policy decides it as `read_audit`. */
  private authorize(principal: Principal, request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action: 'read_audit', resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
  }

  @Get()
  @Header('cache-control', 'no-store')
  async list(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<{ searches: SavedSearch[] }> {
    await this.authorize(principal, request);
    return { searches: await this.searches.list(auditActorOf(principal, factsOf(request))) };
  }

  @Post()
  @Header('cache-control', 'no-store')
  async save(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<SavedSearch> {
    const { name, filter } = parseBody(saveSearchBodySchema, body);
    await this.authorize(principal, request);
    return this.searches.save(name, filter, auditActorOf(principal, factsOf(request)));
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Req() request: FastifyRequest): Promise<void> {
    await this.authorize(principal, request);
    await this.searches.delete(name, auditActorOf(principal, factsOf(request)));
  }
}
