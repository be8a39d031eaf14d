import { z } from 'zod';

export const readinessCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});

export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(readinessCheckSchema),
});

export const livenessSchema = z.object({
  status: z.literal('ok'),
  uptimeSeconds: z.number(),
  version: z.string(),
});

export type ReadinessCheck = z.infer<typeof readinessCheckSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
export type Liveness = z.infer<typeof livenessSchema>;
