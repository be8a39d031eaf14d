import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { inSpan } from '@attest/telemetry';
import type { AuthorizationRule } from '../core/authorization';
import type { Principal } from '../core/principal';
import { AUTHENTICATED_RULE } from './authenticated.metadata';
import { AuthenticationService } from './authentication.service';

/** The Nest request as the guard sees it (Fastify's request satisfies it). */
interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  principal?: Principal;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Authenticates, authorises, and leaves the principal on the request; throws IdentityError otherwise. */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AuthorizationRule | undefined>(AUTHENTICATED_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const userAgent = header(request.headers['user-agent']);
    const facts = {
      authorization: header(request.headers['authorization']),
      cookie: header(request.headers['cookie']),
      ...(request.ip ? { sourceIp: request.ip } : {}),
      ...(userAgent ? { userAgent } : {}),
    };
    const principal = await inSpan('attest.authenticate', {}, () => this.authentication.authenticate(facts));
    await this.authentication.authorize(principal, rule ?? {}, facts);
    request.principal = principal;
    return true;
  }
}
