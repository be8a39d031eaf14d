import type { Liveness, Readiness } from '@attest/contracts';
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from './readiness.service';

const startedAt = Date.now();
const version = process.env['npm_package_version'] ?? '0.1.0';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process is up and its event loop answers. */
  @Get('healthz')
  healthz(): Liveness {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), version };
  }

  /** Readiness: 503 until the database answers and the schema is current, so a load balancer skips this replica. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.readiness.check();
    reply.status(readiness.status === 'ready' ? 200 : 503);
    return readiness;
  }
}
