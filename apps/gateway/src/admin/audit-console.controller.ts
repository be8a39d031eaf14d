import type { VerifyReport } from '@attest/audit';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { factsOf, parseBody } from './admin-http';
import { eventListQuerySchema } from './admin-requests';
import { AuditConsoleService, type EventDetail, type EventPage } from './audit-console.service';
import { SameOriginGuard } from './same-origin.guard';

/** The auditor console: read-only views of the audit log; each read is itself an audit event. */
@Controller('api/audit')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['auditor', 'admin'] })
export class AuditConsoleController {
  constructor(private readonly console: AuditConsoleService) {}

  @Get('events')
  @Header('cache-control', 'no-store')
  events(@CurrentPrincipal() principal: Principal, @Query() query: unknown, @Req() request: FastifyRequest): Promise<EventPage> {
    const parsed = parseBody(eventListQuerySchema, query);
    const filter = Object.fromEntries(Object.entries(parsed).filter((entry) => entry[1] !== undefined && entry[1] !== '')) as typeof parsed;
    return this.console.listEvents(filter, auditActorOf(principal, factsOf(request)));
  }

  @Get('events/:id')
  @Header('cache-control', 'no-store')
  event(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: FastifyRequest): Promise<EventDetail> {
    return this.console.eventDetail(id, auditActorOf(principal, factsOf(request)));
  }

  @Post('verify')
  @HttpCode(200)
  verify(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<VerifyReport> {
    return this.console.verifyLog(auditActorOf(principal, factsOf(request)));
  }
}
