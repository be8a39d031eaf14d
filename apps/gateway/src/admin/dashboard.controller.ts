import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Controller, Get, Header, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { dashboardQuerySchema } from './admin-requests';
import { type DashboardView, DashboardService } from './dashboard.service';
import { SameOriginGuard } from './same-origin.guard';

/** The overview: requests, tokens, denials, PII findings and latency of the caller's tenant, from the audit log. */
@Controller('api/admin/dashboard')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['admin', 'auditor'] })
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly acts: AdminActGate,
  ) {}

  /** Aggregates the audit log, so the active policy decides it as a read of the log (`read_audit`). */
  @Get()
  @Header('cache-control', 'no-store')
  async overview(@CurrentPrincipal() principal: Principal, @Query() query: unknown, @Req() request: FastifyRequest): Promise<DashboardView> {
    const { days } = parseBody(dashboardQuerySchema, query);
    await this.acts.authorize({ principal, action: 'read_audit', resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
    return this.dashboard.overview(days, auditActorOf(principal, factsOf(request)));
  }
}
