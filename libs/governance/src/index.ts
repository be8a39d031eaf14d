// Public API of @attest/governance: the pure pieces of the governed request path.
export { actorOf, modelResource, policyOf, requestEvent, responseEvent } from './core/audit-drafts';
export type { RequestEventInput, RequestMeta, ResponseEventInput } from './core/audit-drafts';
export { governanceConfig } from './core/governance.config';
export type { GovernanceConfig } from './core/governance.config';
export { GovernanceError, GovernanceErrorCode } from './core/governance.errors';
export { Stopwatch } from './core/stopwatch';
export { effectiveMaxTokens } from './core/token-budget';
export type { TokenCaps } from './core/token-budget';
