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

const isoTime = (example: string) => z.iso.datetime({ offset: true, message: `an ISO 8601 time such as ${example}` });

/**
 * What the auditor console searches by (all optional, all strings: they travel in a query string). A saved search
 * stores exactly this, and an export applies it.
 */
export const auditFilterSchema = z.object({
  action: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'an action such as api_key.created, or a prefix such as api_key.').optional(),
  outcome: z.enum(['success', 'denied', 'failure', 'aborted']).optional(),
  actor: z.string().min(1).max(200).optional(),
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a request id as the x-request-id header carries it').optional(),
  from: isoTime('2026-11-25T00:00:00Z').optional(),
  to: isoTime('2026-11-25T00:00:00Z').optional(),
  team: z.string().min(1).max(200).optional(),
  model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a model name such as stories260k').optional(),
  modelVersion: z.string().regex(/^[1-9][0-9]{0,8}$/, 'a version number such as 2').optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  policyId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a policy id such as admin.people-only').optional(),
  piiType: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a PII type such as EMAIL_ADDRESS').optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** `POST /api/audit/saved-searches`: the current filter under a name (saving the same name again replaces it). */
export const saveSearchBodySchema = z.object({
  name: z.string().trim().min(1, 'a name is required').max(80),
  filter: auditFilterSchema,
});
export type SaveSearchBody = z.infer<typeof saveSearchBodySchema>;

/**
 * `POST /api/audit/exports`: the instants are the server timestamps of the events (UTC), from inclusive, to exclusive;
 * `filter` is the rest of the on-screen search.
 */
export const exportBodySchema = z
  .object({
    from: isoTime('2026-11-25T00:00:00Z'),
    to: isoTime('2026-11-26T00:00:00Z'),
    filter: auditFilterSchema.omit({ from: true, to: true }).optional(),
  })
  .refine((range) => Date.parse(range.from) < Date.parse(range.to), { message: 'from must be before to', path: ['to'] });
export type ExportBody = z.infer<typeof exportBodySchema>;

/** `POST /api/admin/data-subjects/erase`: the id the requests carried in `x-attest-data-subject` (or the caller's id). */
export const eraseSubjectBodySchema = z.object({ subjectId: z.string().trim().min(1).max(256) });

// Legal holds: apps/gateway/src/admin/audit-retention.controller.ts validates with the same two schemas.
const holdInstant = z.iso.datetime({ offset: true });
/** `POST /api/audit/legal-holds`: instants in UTC, `coversTo` exclusive; a missing bound leaves the hold open that way. */
export const legalHoldBodySchema = z.object({ reason: z.string().trim().min(1).max(500), coversFrom: holdInstant.optional(), coversTo: holdInstant.optional() }).strict();
export type LegalHoldBody = z.infer<typeof legalHoldBodySchema>;
/** `POST /api/audit/legal-holds/:id/release`. */
export const releaseHoldBodySchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

/** `POST /api/admin/role-mapping/preview`: an IdP's claims (an ID token's or access token's payload) as JSON. */
export const previewRoleMappingBodySchema = z.object({
  claims: z.record(z.string(), z.unknown(), { error: 'an object of claims, e.g. {"iss": "…", "sub": "…", "groups": ["…"]}' }),
});
