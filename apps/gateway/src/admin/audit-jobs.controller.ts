import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res, StreamableFile, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { exportBodySchema } from './admin-requests';
import type { AuditJobView } from './audit-job-registry';
import { AuditExportService } from './audit-export.service';
import { AuditJobsService } from './audit-jobs.service';
import { SameOriginGuard } from './same-origin.guard';

/** Drops fields a form sent empty: an empty field filters nothing. */
function withoutBlanks<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter((entry) => entry[1] !== undefined && entry[1] !== '')) as T;
}

function ownerOf(principal: Principal): { principalId: string; tenant: string } {
  return { principalId: principal.id, tenant: principal.tenant };
}

/**
 * The auditor console's long acts as background jobs (202 and a job id, then `GET /api/audit/jobs/:id`): the role
 * floor and the policy decide when the job is asked for, the job records the act as it runs. A job is its starter's
 * alone; it lives in the answering replica's memory, so its polling must reach the same replica.
 */
@Controller('api/audit')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['auditor', 'admin'] })
export class AuditJobsController {
  constructor(
    private readonly jobs: AuditJobsService,
    private readonly exports: AuditExportService,
    private readonly acts: AdminActGate,
  ) {}

  private authorize(principal: Principal, action: 'verify_audit' | 'export_audit', request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action, resource: tenantResource('audit_log', principal.tenant), facts: actFactsOf(request) });
  }

  /** Verifies the whole log in the background; the report is the job's result. */
  @Post('verify')
  @HttpCode(202)
  @Header('cache-control', 'no-store')
  async verify(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<{ jobId: string }> {
    await this.authorize(principal, 'verify_audit', request);
    return this.jobs.startVerify(auditActorOf(principal, factsOf(request)));
  }

  /** Exports [from, to) with the on-screen filter in the background; the bundle is fetched from `jobs/:id/bundle`. */
  @Post('exports')
  @HttpCode(202)
  @Header('cache-control', 'no-store')
  async export(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ jobId: string }> {
    const { from, to, filter } = parseBody(exportBodySchema, body);
    await this.authorize(principal, 'export_audit', request);
    const range = { from: new Date(from), to: new Date(to) };
    await this.exports.checkRange(range, principal.tenant);
    return this.jobs.startExport({ ...range, filter: withoutBlanks(filter ?? {}) }, auditActorOf(principal, factsOf(request)));
  }

  @Get('jobs/:id')
  @Header('cache-control', 'no-store')
  job(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AuditJobView> {
    return this.jobs.status(id, ownerOf(principal));
  }

  /** The finished export's evidence bundle (tar); the verifier key comes in a header so the auditor can check it offline. */
  @Get('jobs/:id/bundle')
  async bundle(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const { stream, bundle } = await this.jobs.openBundle(id, ownerOf(principal));
    void reply
      .header('content-type', 'application/x-tar')
      .header('content-disposition', `attachment; filename="${bundle.fileName}"`)
      .header('cache-control', 'no-store')
      .header('x-attest-verifier-key', bundle.verifierKey)
      .header('x-attest-bundle-events', String(bundle.events))
      .header('x-attest-bundle-matching-events', String(bundle.matching));
    return new StreamableFile(stream, { length: bundle.bytes });
  }
}
