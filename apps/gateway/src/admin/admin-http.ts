import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

/** Source address and user agent of the caller, for the audit actor. */
export interface RequestFacts {
  sourceIp?: string;
  userAgent?: string;
}

export function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = request.headers['user-agent'];
  return { sourceIp: request.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 256) } : {}) };
}

/** Validates a request body or query; the first problem, with its path, becomes a 400 the portal shows as is. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new BadRequestException(`${where}${issue?.message ?? 'invalid request body'}`);
}
