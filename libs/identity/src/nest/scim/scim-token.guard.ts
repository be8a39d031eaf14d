import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, Logger, SetMetadata, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IdentityConfig } from '../../core/identity.config';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import { SCIM_ACTOR_ID, SCIM_AUTH_METHOD } from '../../core/scim/scim-schemas';
import { bearerTokenOf, scimTokenMatches } from '../../core/scim/scim-token';
import { SCIM_TOKEN_ROUTE } from '../authenticated.metadata';
import { IDENTITY_CONFIG } from '../identity.tokens';

/** The audit actor of a SCIM request: the IdP, as a service, authenticated by the SCIM token. */
export function scimActorOf(request: FastifyRequest, tenant = 'default'): AuditActor {
  const userAgent = request.headers['user-agent'];
  return {
    principalId: SCIM_ACTOR_ID,
    kind: 'service',
    tenant,
    authMethod: SCIM_AUTH_METHOD,
    sourceIp: request.ip,
    ...(userAgent ? { userAgent: userAgent.slice(0, 256) } : {}),
  };
}

/**
 * Admits the IdP's provisioning calls: `Authorization: Bearer <ATTEST_SCIM_TOKEN>`, compared in constant time. With
 * no token configured, SCIM is off and every route answers 404 saying so. A wrong token is recorded
 * (`authentication.failed`, best effort) and refused with 401; a request without a token is refused unrecorded.
 */
@Injectable()
export class ScimTokenGuard implements CanActivate {
  private readonly logger = new Logger('scim');

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.config.scimToken) throw new ScimError(ScimErrorCode.NotConfigured);
    const authorization = request.headers.authorization;
    if (scimTokenMatches(bearerTokenOf(authorization), this.config.scimToken)) return true;
    if (authorization) await this.recordFailure(request);
    throw new ScimError(ScimErrorCode.Unauthenticated);
  }

  private async recordFailure(request: FastifyRequest): Promise<void> {
    try {
      await this.audit.record({ action: 'authentication.failed', outcome: 'denied', actor: scimActorOf(request), tenant: 'default', details: { code: ScimErrorCode.Unauthenticated } });
    } catch (error) {
      this.logger.error(`authentication.failed could not be audited: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Marks a SCIM route: only the IdP's SCIM token opens it (no principal, no role). The authorisation-matrix test reads
 * the mark (`authorizationRuleOf` → `'scim_token'`) and allows it under /scim/v2 only.
 */
export function ScimTokenAuthenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(SCIM_TOKEN_ROUTE, true), UseGuards(ScimTokenGuard));
}
