import type { AuthorizationRule } from '../core/authorization';

/** Metadata key under which `@Authenticated` stores its rule; the gateway's route-table authorisation test reads it. */
export const AUTHENTICATED_RULE = 'attest:identity:authenticated';
/** Metadata key of `@Public()`: a route that is deliberately open (health, sign-in). */
export const PUBLIC_ROUTE = 'attest:identity:public';
/** Metadata key of `@ScimTokenAuthenticated()`: a SCIM route, called by the IdP with the SCIM bearer token, never by a principal. */
export const SCIM_TOKEN_ROUTE = 'attest:identity:scim-token';

/**
 * What a route declares: its rule, `'public'`, `'scim_token'` (the IdP's provisioning token, no principal), or
 * undefined when it declares nothing, which the gateway's authorisation-matrix test treats as a failure (a new route
 * without a rule must not ship).
 *
 * @example
 * authorizationRuleOf(ChatController, 'complete') // { action: 'chat' }
 */
export function authorizationRuleOf(
  controller: abstract new (...args: never[]) => unknown,
  handlerName: string,
): AuthorizationRule | 'public' | 'scim_token' | undefined {
  const handler = (controller.prototype as Record<string, unknown>)[handlerName];
  const targets = [handler, controller].filter((target): target is object => typeof target === 'function' || typeof target === 'object');
  for (const target of targets) {
    const rule = Reflect.getMetadata(AUTHENTICATED_RULE, target) as AuthorizationRule | undefined;
    if (rule) return rule;
    if (Reflect.getMetadata(PUBLIC_ROUTE, target) === true) return 'public';
    if (Reflect.getMetadata(SCIM_TOKEN_ROUTE, target) === true) return 'scim_token';
  }
  return undefined;
}
