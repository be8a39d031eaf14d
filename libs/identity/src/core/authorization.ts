import { IdentityError, IdentityErrorCode } from './identity.errors';
import type { Principal, Role } from './principal';

export interface AuthorizationRule {
  /** Any one of these roles suffices; absent or empty: any authenticated principal. */
  roles?: Role[];
  /** The act (`chat`, `embeddings`, `keys.manage`, ...) checked against the credential's action scopes. */
  action?: string;
}

/**
 * Throws unless the principal may perform the act. Roles first (what the person may do), then the credential's
 * scopes (what this particular key was narrowed to).
 *
 * @example
 * authorize(principal, { roles: ['developer'], action: 'chat' });
 */
export function authorize(principal: Principal, rule: AuthorizationRule): void {
  if (rule.roles && rule.roles.length > 0 && !rule.roles.some((role) => principal.roles.includes(role))) {
    throw new IdentityError(IdentityErrorCode.Forbidden);
  }
  if (rule.action !== undefined && principal.actionScopes !== null && !principal.actionScopes.includes(rule.action)) {
    throw new IdentityError(IdentityErrorCode.ActionNotInScope);
  }
}

/** True when the credential may use the model (exact name or alias, or a `prefix*` pattern). */
export function isModelInScope(principal: Pick<Principal, 'modelScopes'>, model: string): boolean {
  if (principal.modelScopes === null) return true;
  return principal.modelScopes.some((scope) => (scope.endsWith('*') ? model.startsWith(scope.slice(0, -1)) : scope === model));
}

/**
 * Throws MODEL_NOT_IN_SCOPE unless the credential may use the model; the gateway calls it once the model is known.
 *
 * @example
 * assertModelInScope(request.principal, body.model);
 */
export function assertModelInScope(principal: Pick<Principal, 'modelScopes'>, model: string): void {
  if (!isModelInScope(principal, model)) throw new IdentityError(IdentityErrorCode.ModelNotInScope);
}
