/**
 * The port every lib records acts through. @attest/audit provides the implementation (global Nest provider under
 * {@link AUDIT_RECORDER}); a lib that changes something (keys, models, policies) injects it and awaits the receipt,
 * so an act whose record cannot be committed fails with it (fail closed).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type AuditOutcome = 'success' | 'denied' | 'failure' | 'aborted';

export interface AuditActor {
  /** Principal id; `system` for acts of the gateway itself. */
  principalId: string;
  kind: 'user' | 'service' | 'system';
  tenant: string;
  /** `api_key`, `oidc_token`, `session`, `cli`, `system`. */
  authMethod: string;
  keyId?: string;
  sessionId?: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface AuditResource {
  /** `model`, `model_version`, `api_key`, `policy_bundle`, `audit_event`, ... */
  type: string;
  id?: string;
  name?: string;
  version?: string;
  /** Weights or bundle digest, where the resource has one. */
  sha256?: string;
  alias?: string;
}

export interface AuditPolicyDecision {
  bundleSha256: string;
  decision: 'allow' | 'deny';
  policyIds: string[];
  obligations: string[];
}

/** AES-256-GCM ciphertext of raw content under a data subject key (see @attest/audit sealed-content). */
export interface SealedRawContent {
  alg: 'A256GCM';
  keyId: string;
  iv: string;
  ciphertext: string;
}

export interface AuditEventDraft {
  /** Dotted verb, e.g. `inference.request`, `inference.response`, `api_key.created`, `model_version.approved`. */
  action: string;
  outcome: AuditOutcome;
  actor: AuditActor;
  tenant: string;
  resource?: AuditResource;
  requestId?: string;
  traceId?: string;
  policy?: AuditPolicyDecision;
  /** PII findings as counts per entity type: never the values. */
  pii?: Record<string, number>;
  usage?: { promptTokens: number; completionTokens: number };
  latencyMs?: number;
  /** Small structured facts about the act (reason codes, changed fields); no personal data. */
  details?: Record<string, JsonValue>;
  /**
   * Already-redacted content; the writer stores it, or only its hash, per configuration. `sealedRaw`: the raw text,
   * encrypted under the data subject's key where the tenant enabled raw capture (stored as is; crypto-shredding).
   */
  payload?: { prompt?: string; response?: string; dataSubjectId?: string; sealedRaw?: SealedRawContent };
}

export interface AuditReceipt {
  id: string;
  chainId: string;
  sequence: number;
  leafHash: string;
}

export interface AuditRecorder {
  /** Resolves only once the event is committed; rejects when it cannot be (the caller must then refuse the act). */
  record(event: AuditEventDraft): Promise<AuditReceipt>;
}

export const AUDIT_RECORDER = Symbol.for('attest.AuditRecorder');

/**
 * The port through which the request path keeps raw content for tenants that enabled it: sealed under the data
 * subject's key (crypto-shredding). @attest/audit provides it under {@link RAW_CONTENT_SEALER}.
 */
export interface RawContentSealer {
  capturesRaw(tenant: string): boolean;
  seal(tenant: string, subjectId: string, content: { prompt?: string; response?: string }): Promise<SealedRawContent>;
}

export const RAW_CONTENT_SEALER = Symbol.for('attest.RawContentSealer');
