import { z } from 'zod';
import type { PolicyRequest } from './policy.types';

const name = z.string().min(1).max(256);

/**
 * A described request, as `POST /api/admin/policies/evaluate` accepts it (dry run): the same shape the gateway
 * builds for real requests. Extra attributes pass through; the bundle's schema decides which ones Cedar sees.
 *
 * @example
 * const request = policyRequestSchema.parse(body);
 * const decision = engine.decide(request);
 */
export const policyRequestSchema = z.object({
  principal: z
    .object({
      id: name,
      kind: z.enum(['user', 'service']),
      tenant: name,
      groups: z.array(name).max(1_000).default([]),
      roles: z.array(name).max(100).default([]),
    })
    .catchall(z.unknown()),
  action: name,
  resource: z.object({ type: name }).catchall(z.unknown()),
  context: z
    .object({
      piiTypes: z.array(name).max(100).default([]),
      maxTokens: z.number().int().min(0).optional(),
      estimatedTokens: z.number().int().min(0).optional(),
      dataClassification: name.optional(),
      localWeekday: z.number().int().min(1).max(7).optional(),
      localMinute: z.number().int().min(0).max(1439).optional(),
      sourceIp: z.string().max(64).optional(),
      sourceNetwork: name.optional(),
    })
    .catchall(z.unknown())
    .default({ piiTypes: [] }),
}) as unknown as z.ZodType<PolicyRequest>;

