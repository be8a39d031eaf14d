import { z } from 'zod';

// Request bodies of the admin API. apps/gateway/src/admin/admin-requests.ts validates with a copy of these schemas
// (Nx module boundaries forbid the gateway to import the portal project): change both together.

export const createKeyBodySchema = z.object({
  name: z.string().min(1).max(64),
  roles: z.array(z.string()).min(1),
  models: z.array(z.string()).optional(),
  expiresInDays: z.number().int().positive().max(3650).optional(),
  /** `person`: the key acts as a named person (may administer); default `service` (a workload's key). */
  holder: z.enum(['service', 'person']).optional(),
});
export type CreateKeyBody = z.infer<typeof createKeyBodySchema>;

/** Sign-in with an API key; the bound only keeps absurd bodies out (a key is ~64 characters). */
export const apiKeySignInBodySchema = z.object({ apiKey: z.string({ error: 'an API key (atk_…) is required' }).min(1, 'an API key (atk_…) is required').max(512) });

export const rotateKeyBodySchema = z.object({ overlapHours: z.number().min(0).max(24 * 30).optional() });
export const revokeKeyBodySchema = z.object({ reason: z.string().max(500).optional() });

export const approveBodySchema = z.object({ comment: z.string().max(2000).optional() });

export const aliasTargetsBodySchema = z.object({
  targets: z.array(z.object({ model: z.string(), version: z.number().int().positive(), weight: z.number().int().min(0).max(1000) })).min(1),
  reason: z.string().max(500).optional(),
});
export type AliasTargetsBody = z.infer<typeof aliasTargetsBodySchema>;
export const rollbackAliasBodySchema = z.object({ toRevision: z.number().int().positive().optional(), reason: z.string().max(500).optional() });

export const dryRunBodySchema = z.object({
  action: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  roles: z.array(z.string()).max(20),
  groups: z.array(z.string().max(200)).max(50),
  piiTypes: z.array(z.string().max(64)).max(50),
  dataClassification: z.string().max(64).optional(),
});
export type DryRunBody = z.infer<typeof dryRunBodySchema>;

/** `POST /api/audit/exports`: the instants are the server timestamps of the events (UTC), from inclusive, to exclusive. */
export const exportBodySchema = z
  .object({
    from: z.iso.datetime({ offset: true, message: 'an ISO 8601 time such as 2026-11-25T00:00:00Z' }),
    to: z.iso.datetime({ offset: true, message: 'an ISO 8601 time such as 2026-11-26T00:00:00Z' }),
  })
  .refine((range) => Date.parse(range.from) < Date.parse(range.to), { message: 'from must be before to', path: ['to'] });
export type ExportBody = z.infer<typeof exportBodySchema>;

/** `POST /api/admin/data-subjects/erase`: the id the requests carried in `x-attest-data-subject` (or the caller's id). */
export const eraseSubjectBodySchema = z.object({ subjectId: z.string().trim().min(1).max(256) });
