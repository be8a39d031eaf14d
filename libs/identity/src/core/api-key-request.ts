import { IdentityError, IdentityErrorCode } from './identity.errors';
import { isRole, type Role } from './principal';

export interface ApiKeyPolicy {
  keyDefaultTtlMs: number;
  keyMaxTtlMs: number;
  allowNonExpiringKeys: boolean;
}

export interface CreateApiKeyRequest {
  name: string;
  roles: readonly string[];
  /** Model names or `prefix*` patterns; absent or null: every model. */
  models?: readonly string[] | null;
  /** Actions such as `chat`, `embeddings`; absent or null: every action. */
  actions?: readonly string[] | null;
  /** Lifetime in ms, or `never` (only where ATTEST_API_KEY_ALLOW_NON_EXPIRING=true); absent: the default (90 days). */
  expiresInMs?: number | 'never';
  /**
   * Who holds the key. `service` (default): a workload; the shipped policies let it call models but never administer.
   * `person`: a named person's own key (the bootstrap admin's is one); admin acts through it are a person's acts.
   */
  holder?: KeyHolder;
}

export type KeyHolder = 'service' | 'person';

export interface ValidatedApiKeyRequest {
  name: string;
  roles: Role[];
  modelScopes: string[] | null;
  actionScopes: string[] | null;
  expiresAt: Date | null;
  holder: KeyHolder;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const MODEL_SCOPE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\*?$|^\*$/;
const ACTION = /^[a-z][a-z0-9._-]{0,63}$/;

function invalid(message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.InvalidKeyRequest, message);
}

function scopes(values: readonly string[] | null | undefined, pattern: RegExp, what: string): string[] | null {
  if (values === undefined || values === null) return null;
  const cleaned = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
  if (cleaned.length === 0) throw invalid(`Give at least one ${what}, or leave the ${what} scope out for all.`);
  const bad = cleaned.find((value) => !pattern.test(value));
  if (bad !== undefined) throw invalid(`"${bad}" is not a valid ${what}.`);
  return cleaned.includes('*') ? null : cleaned;
}

/**
 * Checks a create request against the key policy; throws INVALID_KEY_REQUEST naming what is wrong.
 *
 * @example
 * validateApiKeyRequest({ name: 'ci', roles: ['developer'], models: ['llama3'] }, policy, new Date());
 */
export function validateApiKeyRequest(request: CreateApiKeyRequest, policy: ApiKeyPolicy, now: Date): ValidatedApiKeyRequest {
  const name = request.name.trim();
  if (!NAME.test(name)) throw invalid('A key name is 1 to 64 letters, digits, spaces, dots, dashes or underscores.');
  const roles = [...new Set(request.roles)];
  if (roles.length === 0) throw invalid('A key needs at least one role.');
  const unknown = roles.find((role) => !isRole(role));
  if (unknown !== undefined) throw invalid(`"${unknown}" is not a role.`);
  const holder = request.holder ?? 'service';
  if (holder !== 'service' && holder !== 'person') throw invalid('A key is held by a service or a person.');
  return {
    holder,
    name,
    roles: roles as Role[],
    modelScopes: scopes(request.models, MODEL_SCOPE, 'model'),
    actionScopes: scopes(request.actions, ACTION, 'action'),
    expiresAt: expiryFor(request.expiresInMs, policy, now),
  };
}

/** The expiry of a new key: the default when none is asked, never beyond the maximum, never "never" unless allowed. */
export function expiryFor(expiresInMs: number | 'never' | undefined, policy: ApiKeyPolicy, now: Date): Date | null {
  if (expiresInMs === 'never') {
    if (!policy.allowNonExpiringKeys) throw invalid('Keys must expire here (ATTEST_API_KEY_ALLOW_NON_EXPIRING is not set).');
    return null;
  }
  const ttl = expiresInMs ?? policy.keyDefaultTtlMs;
  if (!Number.isFinite(ttl) || ttl <= 0) throw invalid('A key’s lifetime must be positive.');
  if (ttl > policy.keyMaxTtlMs) throw invalid(`A key may live at most ${Math.floor(policy.keyMaxTtlMs / 86_400_000)} days.`);
  return new Date(now.getTime() + ttl);
}
