import { AuditRetention, LegalHolds, type LegalHold, type RetentionPlan, type RetentionRun } from '@attest/audit/nest';
import { AdminActGate, type AdminAction } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { SameOriginGuard } from './same-origin.guard';

const instant = z.iso.datetime({ offset: true });
/** `POST /api/audit/legal-holds`. */
export const legalHoldBodySchema = z.object({ reason: z.string().trim().min(1).max(500), coversFrom: instant.optional(), coversTo: instant.optional() }).strict();
/** `POST /api/audit/legal-holds/:id/release`. */
export const releaseHoldBodySchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

/**
 * Retention and legal holds of the audit log (docs/audit-format.md §12): auditors and admins see the monthly
 * partitions and the holds; admins place and release holds and drop the months that are due (auditors change
 * nothing). Every act is decided by the policy bundle and recorded in the log itself.
 */
@Controller('api/audit')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['auditor', 'admin'] })
export class AuditRetentionController {
  constructor(
    private readonly retention: AuditRetention,
    private readonly holds: LegalHolds,
    private readonly acts: AdminActGate,
  ) {}

  private authorize(principal: Principal, action: AdminAction, request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action, resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
  }

  @Get('retention')
  @Header('cache-control', 'no-store')
  async plan(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RetentionPlan> {
    await this.authorize(principal, 'read_audit', request);
    return this.retention.plan();
  }

  @Get('legal-holds')
  @Header('cache-control', 'no-store')
  async list(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<LegalHold[]> {
    await this.authorize(principal, 'read_audit', request);
    return this.holds.list();
  }

  @Post('legal-holds')
  @HttpCode(201)
  @Authenticated({ roles: ['admin'] })
  async hold(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<LegalHold> {
    const hold = parseBody(legalHoldBodySchema, body);
    await this.authorize(principal, 'hold_audit', request);
    return this.holds.set(hold, auditActorOf(principal, factsOf(request)));
  }

  @Post('legal-holds/:id/release')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  async release(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<LegalHold> {
    const release = parseBody(releaseHoldBodySchema, body);
    await this.authorize(principal, 'release_audit_hold', request);
    return this.holds.release(id, release, auditActorOf(principal, factsOf(request)));
  }

  @Post('retention/apply')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'] })
  async apply(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RetentionRun> {
    await this.authorize(principal, 'apply_audit_retention', request);
    await this.retention.ensurePartitions();
    return this.retention.apply(auditActorOf(principal, factsOf(request)));
  }
}
