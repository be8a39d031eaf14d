/** Roles, least to most privileged does not apply: each grants a different set of acts. */
export const ROLES = ['admin', 'auditor', 'model-approver', 'policy-author', 'developer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export type AuthMethod = 'api_key' | 'oidc_token' | 'session';

/** Who is calling, as every later step of the request path sees it. */
export interface Principal {
  /** Stable id: the `principal` row's uuid. */
  id: string;
  kind: 'user' | 'service';
  tenant: string;
  displayName: string;
  groups: string[];
  roles: Role[];
  authMethod: AuthMethod;
  /** The API key's id (never its secret) when authMethod is `api_key`. */
  keyId?: string;
  sessionId?: string;
  /** Model names this credential may use; null means all. */
  modelScopes: string[] | null;
  /** Actions (`chat`, `embeddings`, ...) this credential may perform; null means all. */
  actionScopes: string[] | null;
  /** For tokens and sessions: the IdP issuer and subject that identify the user (never the e-mail). */
  issuer?: string;
  subject?: string;
}
