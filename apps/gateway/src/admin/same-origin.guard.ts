import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for the cookie-authenticated admin API: a state-changing request must carry `x-attest-request`. Browsers
 * send a custom header cross-origin only after a CORS preflight, which the gateway never grants (OWASP CSRF Prevention
 * Cheat Sheet, "custom request headers"). Callers with an Authorization header are not exposed to CSRF and need no header.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method) || request.headers.authorization) return true;
    if (request.headers['x-attest-request'] === 'portal') return true;
    throw new ForbiddenException('A state-changing request from a browser must carry the x-attest-request header.');
  }
}
