/** Who asks: what the identity step established (never credentials). */
export interface PolicyPrincipal {
  id: string;
  kind: 'user' | 'service';
  tenant: string;
  groups: string[];
  roles: string[];
  /** Further attributes the bundle's schema may declare on `User` / `Service` (e.g. `department`). */
  [attribute: string]: unknown;
}

/** A model version as the registry describes it; the schema's `Model` entity. */
export interface PolicyResource {
  type: 'model';
  name: string;
  version: string;
  domain: string;
  audience: string;
  deployment: 'on_prem' | 'remote';
  dataClassification: string;
  /** Registry lifecycle status (`draft`, `approved`, `active`, `deprecated`, `retired`). */
  status?: string;
  tenant?: string;
  /** Principal id of whoever registered the version (four-eyes approval). */
  registeredBy?: string;
  [attribute: string]: unknown;
}

/** Any other resource (admin acts): `type` in snake_case names the schema's entity type (`audit_log` → `AuditLog`). */
export interface PolicyAdminResource {
  type: string;
  id: string;
  [attribute: string]: unknown;
}

/** What the gateway knows about the request; never the content itself, only types and counts. */
export interface PolicyContext {
  /** PII entity types found in the input (Presidio names: PERSON, EMAIL_ADDRESS, CREDIT_CARD...), never the values. */
  piiTypes: string[];
  /** `max_tokens` as requested. */
  maxTokens?: number;
  /** Estimated prompt tokens. */
  estimatedTokens?: number;
  /** Declared classification of the data (request header), e.g. `public`, `internal`, `confidential`, `restricted`. */
  dataClassification?: string;
  /** ISO weekday in the tenant's time zone, 1 = Monday ... 7 = Sunday (see {@link localTimeContext}). */
  localWeekday?: number;
  /** Minutes since local midnight in the tenant's time zone, 0..1439. */
  localMinute?: number;
  /** Client address; becomes a Cedar `ipaddr` when the schema declares it so. */
  sourceIp?: string;
  /** Named network zone of the client (`internal`, `vpn`, `internet`). */
  sourceNetwork?: string;
  [attribute: string]: unknown;
}

export interface PolicyRequest {
  principal: PolicyPrincipal;
  /** `chat`, `completion`, `embedding`, or an admin action such as `approve_model`, `export_audit`. */
  action: string;
  resource: PolicyResource | PolicyAdminResource;
  context: PolicyContext;
}

import type { QuotaObligation } from './quota';

/** What the gateway must do when it serves an allowed request; merged from every permit that matched. */
export interface PolicyObligations {
  /** PII entity types to redact before inference (union over matched permits), sorted. */
  redact: string[];
  /** Largest `max_tokens` the request may use (the smallest cap over matched permits). */
  maxTokensCap?: number;
  /** False when any matched permit forbids storing the (redacted) content in the audit log: store its hash only. */
  storeRawContent: boolean;
  /** Request-rate and token-budget limits (smallest per metric and scope); absent when no permit sets one. */
  quotas?: QuotaObligation[];
  [obligation: string]: unknown;
}

export interface PolicyDecision {
  decision: 'allow' | 'deny';
  /** For an allow, the permits that matched; for a deny, the forbids that matched or the policies that failed. */
  policyIds: string[];
  /** Human-readable reasons (the `@reason` annotation of each determining policy, or a generic line). */
  reasons: string[];
  obligations: PolicyObligations;
  bundleSha256: string;
  /** Evaluation or bundle errors; any error makes the decision a deny (fail closed). */
  errors: string[];
}
