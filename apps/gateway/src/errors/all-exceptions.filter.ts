import { GatewayMetrics } from '@attest/telemetry';
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';
import { isScimRequest, toScimErrorResponse } from './scim-error-response';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  constructor(@Optional() private readonly metrics?: GatewayMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest | undefined>();
    const response = isScimRequest(request?.url) ? toScimErrorResponse(exception) : toErrorResponse(exception);
    if (response.status >= 500) this.log(exception, response.body);
    if (reply.sent) return;
    void reply.status(response.status).headers(response.headers ?? {}).send(response.body);
  }

  /**
   * A refusal with a stable code (the database or the audit log unavailable, a backend down) is one warning line: an
   * outage must not flood the log with identical stacks. Only an unexpected error keeps its stack.
   */
  private log(exception: unknown, body: unknown): void {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    if (typeof code === 'string' && code !== 'internal_error') {
      this.metrics?.serverRefusals.inc({ code });
      this.logger.warn(`[${code}] ${exception instanceof Error ? exception.message : String(exception)}`);
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
  }
}
