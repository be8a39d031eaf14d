import { z } from 'zod';

// What the audit retention, legal hold and data subject routes answer (libs/audit/src/nest/audit-retention.ts,
// legal-holds.ts; apps/gateway/src/admin/data-subjects.controller.ts). Instants are ISO 8601 strings in UTC.

export const legalHoldSchema = z.object({
  id: z.string(),
  reason: z.string(),
  /** null: open to the past. */
  coversFrom: z.string().nullable(),
  /** Exclusive; null: open to the future. */
  coversTo: z.string().nullable(),
  setBy: z.string(),
  setAt: z.string(),
  release: z.object({ reason: z.string(), releasedBy: z.string(), releasedAt: z.string() }).nullable(),
});
export type LegalHoldView = z.infer<typeof legalHoldSchema>;
export const legalHoldListSchema = z.array(legalHoldSchema);

export const PARTITION_STATUSES = ['current', 'retained', 'due', 'held', 'default'] as const;
export type PartitionStatusView = (typeof PARTITION_STATUSES)[number];

export const retentionPlanSchema = z.object({
  retentionMonths: z.number(),
  /** First log position still in the log (earlier ones were dropped by retention). */
  retainedFrom: z.number(),
  partitions: z.array(
    z.object({
      name: z.string(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      events: z.number(),
      firstSeq: z.number().nullable(),
      status: z.enum(PARTITION_STATUSES),
      dueAt: z.string().nullable(),
      heldBy: z.array(z.string()),
    }),
  ),
  holdsInForce: z.array(legalHoldSchema),
});
export type RetentionPlanView = z.infer<typeof retentionPlanSchema>;

export const retentionRunSchema = z.object({
  dropped: z.array(z.object({ partition: z.string(), events: z.number(), retainedFrom: z.number(), eventSeq: z.number().nullable() })),
  stoppedAt: z.object({ partition: z.string(), reason: z.string() }).optional(),
});
export type RetentionRunView = z.infer<typeof retentionRunSchema>;

export const erasureResultSchema = z.object({ erasedKeys: z.number() });
