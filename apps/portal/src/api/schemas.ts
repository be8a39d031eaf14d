import { z } from 'zod';

// Response shapes the portal relies on; the gateway's admin controllers answer exactly these. Dates travel as ISO-8601
// strings in UTC.

const date = z.string();

export const ROLES = ['admin', 'auditor', 'model-approver', 'policy-author', 'developer'] as const;

export const principalSchema = z.object({
  id: z.string(),
  kind: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  authMethod: z.string(),
});
export type PortalPrincipal = z.infer<typeof principalSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  maskedKey: z.string(),
  roles: z.array(z.string()),
  modelScopes: z.array(z.string()).nullable(),
  actionScopes: z.array(z.string()).nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: date,
  expiresAt: date.nullable(),
  revokedAt: date.nullable(),
  lastUsedAt: date.nullable(),
  rotatedFrom: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeySchema>;
export const apiKeyListSchema = z.object({ keys: z.array(apiKeySchema) });
export const issuedKeySchema = z.object({ key: z.string(), record: apiKeySchema });
export type IssuedKeyView = z.infer<typeof issuedKeySchema>;

const ggufSchema = z
  .object({
    architecture: z.string(),
    name: z.string().optional(),
    parameterCount: z.number(),
    quantisation: z.object({ name: z.string() }),
    contextLength: z.number().optional(),
    embeddingLength: z.number().optional(),
    blockCount: z.number().optional(),
    vocabularySize: z.number().optional(),
    fileSize: z.number(),
    licence: z.string().optional(),
  })
  .nullable();

export const versionSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.number(),
  status: z.string(),
  sha256: z.string().nullable(),
  size: z.number().nullable(),
  gguf: ggufSchema,
  licence: z.string().nullable(),
  card: z.string(),
  registeredBy: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: date.nullable(),
  createdAt: date,
});
export type VersionView = z.infer<typeof versionSchema>;

export const aliasSchema = z.object({
  name: z.string(),
  revision: z.number(),
  updatedAt: date,
  targets: z.array(z.object({ model: z.string(), version: z.number(), weight: z.number() })),
});
export type AliasView = z.infer<typeof aliasSchema>;
export const modelsSchema = z.object({ versions: z.array(versionSchema), aliases: z.array(aliasSchema) });
export type ModelsView = z.infer<typeof modelsSchema>;

export const policyBundlesSchema = z.object({
  activeSha256: z.string(),
  bundles: z.array(
    z.object({
      id: z.string(),
      sha256: z.string(),
      createdAt: date,
      activatedAt: date.nullable(),
      /** null: activated by the CLI, which acts as no principal (its audit event names the operator). */
      activatedBy: z.object({ id: z.string(), displayName: z.string() }).nullable().default(null),
      signed: z.boolean(),
    }),
  ),
});
export type PolicyBundlesView = z.infer<typeof policyBundlesSchema>;

/** `GET /api/admin/policies/:sha256`: the schema and policy files of a stored (or the active) bundle. */
export const policySourcesSchema = z.object({ sha256: z.string(), active: z.boolean(), signed: z.boolean(), files: z.record(z.string(), z.string()) });
export type PolicySourcesView = z.infer<typeof policySourcesSchema>;

export const decisionSchema = z.object({
  decision: z.enum(['allow', 'deny']),
  policyIds: z.array(z.string()),
  reasons: z.array(z.string()),
  obligations: z.record(z.string(), z.unknown()),
  bundleSha256: z.string(),
  errors: z.array(z.string()),
});
export type DecisionView = z.infer<typeof decisionSchema>;

export const emptySchema = z.unknown();

export const signInMethodsSchema = z.object({ sso: z.boolean(), saml: z.boolean().default(false), apiKey: z.boolean() });

export const verifyReportSchema = z.object({
  ok: z.boolean(),
  size: z.number(),
  eventsChecked: z.number(),
  sealedSize: z.number(),
  unsealed: z.number(),
  checkpointsVerified: z.number(),
  incompleteRequests: z.object({ count: z.number() }),
  failure: z.object({ code: z.string(), message: z.string(), seq: z.number().optional() }).optional(),
});
export type VerifyReportView = z.infer<typeof verifyReportSchema>;

/** `POST /api/audit/verify` and `POST /api/audit/exports` answer 202 with the job to poll. */
export const jobStartedSchema = z.object({ jobId: z.string() });

const jobFields = {
  id: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  done: z.number(),
  total: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
};
/** `GET /api/audit/jobs/:id` of a verification: `done` of `total` events checked, then the report. */
export const verifyJobSchema = z.object({ ...jobFields, kind: z.literal('verify'), result: verifyReportSchema.optional() });
export type VerifyJobView = z.infer<typeof verifyJobSchema>;
/** `GET /api/audit/jobs/:id` of an export: its phase and the range's events; the bundle is at `jobs/:id/bundle`. */
export const exportJobSchema = z.object({
  ...jobFields,
  kind: z.literal('export'),
  phase: z.enum(['reading', 'sealing', 'packing', 'recording']).optional(),
  result: z.object({ events: z.number(), matching: z.number(), treeSize: z.number(), bytes: z.number() }).optional(),
});
export type ExportJobView = z.infer<typeof exportJobSchema>;

export const eventDetailSchema = z.object({
  event: z
    .object({
      seq: z.number(),
      id: z.string(),
      ts: z.string(),
      action: z.string(),
      outcome: z.string(),
      tenant: z.string(),
      actor: z.object({ principalId: z.string(), kind: z.string(), authMethod: z.string() }).loose(),
      resource: z.object({ type: z.string(), id: z.string().optional(), name: z.string().optional() }).loose().optional(),
      requestId: z.string().optional(),
      policy: z.object({ decision: z.string(), policyIds: z.array(z.string()), bundleSha256: z.string() }).loose().optional(),
      pii: z.record(z.string(), z.number()).optional(),
    })
    .loose(),
  integrity: z.discriminatedUnion('status', [
    z.object({ status: z.literal('verified'), seq: z.number(), treeSize: z.number(), checkpoint: z.string() }),
    z.object({ status: z.literal('pending'), seq: z.number(), reason: z.string() }),
    z.object({ status: z.literal('failed'), seq: z.number(), reason: z.string(), checkpoint: z.string() }),
  ]),
});
export type EventDetailView = z.infer<typeof eventDetailSchema>;

export const eventPageSchema = z.object({
  events: z.array(
    z.object({
      seq: z.number(),
      id: z.string(),
      ts: z.string(),
      action: z.string(),
      outcome: z.string(),
      actorId: z.string(),
      resource: z.string().nullable(),
      requestId: z.string().nullable(),
    }),
  ),
  nextBefore: z.number().nullable(),
});
export type EventPageView = z.infer<typeof eventPageSchema>;

export const savedSearchSchema = z.object({
  name: z.string(),
  filter: z.record(z.string(), z.string()),
  createdAt: date,
  updatedAt: date,
});
export type SavedSearchView = z.infer<typeof savedSearchSchema>;
export const savedSearchListSchema = z.object({ searches: z.array(savedSearchSchema) });

const latencySchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable();
const usageShape = { requests: z.number(), denials: z.number(), promptTokens: z.number(), completionTokens: z.number() };

export const dashboardSchema = z.object({
  days: z.number(),
  from: date,
  to: date,
  totals: z.object({ ...usageShape, piiFindings: z.number(), latency: latencySchema }),
  daily: z.array(z.object({ day: z.string(), ...usageShape, pii: z.record(z.string(), z.number()), piiFindings: z.number(), latency: latencySchema })),
  piiByType: z.array(z.object({ type: z.string(), findings: z.number() })),
  byTeam: z.array(z.object({ team: z.string().nullable(), ...usageShape })),
  byModel: z.array(z.object({ model: z.string().nullable(), ...usageShape, latency: latencySchema })),
});
export type DashboardView = z.infer<typeof dashboardSchema>;

// The people page: principals, groups, the role-mapping rules, their preview and the SSO test login.
const matchedRuleSchema = z.object({ index: z.number(), claim: z.string(), equals: z.string(), roles: z.array(z.string()) });
export type MatchedRuleView = z.infer<typeof matchedRuleSchema>;

export const principalPageSchema = z.object({
  principals: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      displayName: z.string(),
      source: z.string(),
      issuer: z.string().nullable(),
      subject: z.string(),
      status: z.enum(['active', 'deactivated']),
      roles: z.array(z.string()),
      groups: z.array(z.string()),
      scimUserName: z.string().nullable(),
      scimGroups: z.array(z.string()),
      activeKeys: z.number(),
      createdAt: date,
      updatedAt: date,
      lastSeenAt: date.nullable(),
      deactivatedAt: date.nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type PrincipalPageView = z.infer<typeof principalPageSchema>;
export type PrincipalView = PrincipalPageView['principals'][number];

export const groupsSchema = z.object({
  scimGroups: z.array(
    z.object({ id: z.string(), displayName: z.string(), externalId: z.string().nullable(), members: z.number(), activeMembers: z.number(), roles: z.array(z.string()) }),
  ),
  seenGroups: z.array(z.object({ name: z.string(), principals: z.number(), roles: z.array(z.string()) })),
  scimConfigured: z.boolean(),
  truncated: z.boolean(),
});
export type GroupsView = z.infer<typeof groupsSchema>;

export const roleMappingSchema = z.object({
  rules: z.array(matchedRuleSchema),
  configuredBy: z.string(),
  groupsClaim: z.string(),
  scimLinkClaim: z.string(),
  samlGroupsAttributes: z.array(z.string()),
  oidcIssuer: z.string().nullable(),
  features: z.object({ oidcLogin: z.boolean(), oidcBearerTokens: z.boolean(), saml: z.boolean(), scim: z.boolean() }),
  testLogin: z.boolean(),
});
export type RoleMappingView = z.infer<typeof roleMappingSchema>;

export const mappingPreviewSchema = z.object({
  outcome: z.enum(['signed_in', 'refused']),
  kind: z.string(),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  provisionedGroups: z.array(z.string()),
  groupsOverage: z.boolean(),
  matchedRules: z.array(matchedRuleSchema),
  refusal: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type MappingPreviewView = z.infer<typeof mappingPreviewSchema>;

export const testLoginStartSchema = z.object({ authorizationUrl: z.string() });
export const testLoginResultSchema = z.object({
  id: z.string(),
  createdAt: date,
  expiresAt: date,
  claims: z.record(z.string(), z.unknown()),
  preview: mappingPreviewSchema,
});
export type TestLoginResultView = z.infer<typeof testLoginResultSchema>;
