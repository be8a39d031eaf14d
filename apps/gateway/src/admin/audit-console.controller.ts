import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Controller, Get, Header, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { eventListQuerySchema } from './admin-requests';
import { AuditConsoleService, type EventDetail, type EventPage, type RawContentView } from './audit-console.service';
import { SameOriginGuard } from './same-origin.guard';

/** Drops fields a form sent empty: an empty field filters nothing. */
function withoutBlanks<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter((entry) => entry[1] !== undefined && entry[1] !== '')) as T;
}

/** The auditor console: read-only views of the audit log; each read is itself an audit event (verify and export: AuditJobsController). */
@Controller('api/audit')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['auditor', 'admin'] })
export class AuditConsoleController {
  constructor(
    private readonly console: AuditConsoleService,
    private readonly acts: AdminActGate,
  ) {}

  private authorize(principal: Principal, action: 'read_audit', request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action, resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
  }

  @Get('events')
  @Header('cache-control', 'no-store')
  async events(@CurrentPrincipal() principal: Principal, @Query() query: unknown, @Req() request: FastifyRequest): Promise<EventPage> {
    await this.authorize(principal, 'read_audit', request);
    return this.console.listEvents(withoutBlanks(parseBody(eventListQuerySchema, query)), auditActorOf(principal, factsOf(request)));
  }

  @Get('events/:id')
  @Header('cache-control', 'no-store')
  async event(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: FastifyRequest): Promise<EventDetail> {
    await this.authorize(principal, 'read_audit', request);
    return this.console.eventDetail(id, auditActorOf(principal, factsOf(request)));
  }

  /** The raw content sealed in an event (tenants with raw capture), for an auditor; each opening is recorded. */
  @Get('events/:id/raw')
  @Header('cache-control', 'no-store')
  async raw(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: FastifyRequest): Promise<RawContentView> {
    await this.acts.authorize({ principal, action: 'read_raw_content', resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
    return this.console.rawContent(id, auditActorOf(principal, factsOf(request)));
  }
}
