import { DataSubjectKeys } from '@attest/audit/nest';
import { AdminActGate } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, auditActorOf, CurrentPrincipal } from '@attest/identity/nest';
import { Body, Controller, Header, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actFactsOf, tenantResource } from './admin-acts';
import { factsOf, parseBody } from './admin-http';
import { eraseSubjectBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

/**
 * GDPR Art. 17 erasure by crypto-shredding: the subject's keys are destroyed, so the raw content sealed under them
 * in the audit log can never be read again, while the log's hashes, chain and checkpoints still verify.
 */
@Controller('api/admin/data-subjects')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['admin'] })
export class DataSubjectsController {
  constructor(
    private readonly keys: DataSubjectKeys,
    private readonly acts: AdminActGate,
  ) {}

  @Post('erase')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async erase(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<{ erasedKeys: number }> {
    const { subjectId } = parseBody(eraseSubjectBodySchema, body);
    await this.acts.authorize({ principal, action: 'erase_data_subject', resource: tenantResource('data_subject', principal.tenant), facts: actFactsOf(request) });
    const { erasedKeys } = await this.keys.erase(principal.tenant, subjectId, auditActorOf(principal, factsOf(request)));
    return { erasedKeys: erasedKeys.length };
  }
}
