// Public API of @attest/policy: the pure core (no NestJS, no TypeORM).
export type {
  PolicyAdminResource,
  PolicyContext,
  PolicyDecision,
  PolicyObligations,
  PolicyPrincipal,
  PolicyRequest,
  PolicyResource,
} from './core/policy.types';
export { PolicyError, PolicyErrorCode } from './core/policy.errors';
export { PolicyBundle, SIGNATURE_FILE } from './core/policy-bundle';
export { bundleManifest, canonicalManifest, isBundleFile } from './core/bundle-manifest';
export type { BundleManifest } from './core/bundle-manifest';
export { PolicyEngine, DEFAULT_DENY_REASON } from './core/policy-engine';
export { localTimeContext } from './core/local-time';
export { describeObligations, parseObligationAnnotation } from './core/obligations';
export type { ObligationClause } from './core/obligations';
export { compareDecision, loadPolicyTests, parsePolicyTestFile, runPolicyTests } from './core/policy-tests';
export type { PolicyTestCase, PolicyTestExpectation, PolicyTestResult } from './core/policy-tests';
export { policyConfig } from './core/policy.config';
export type { PolicyConfig } from './core/policy.config';
export { policyRequestSchema } from './core/policy-request.schema';
export { mergeQuotas, quotaWindow, retryAfterSeconds, QuotaError, QuotaErrorCode } from './core/quota';
export type { QuotaMetric, QuotaObligation, QuotaScope } from './core/quota';
export { NetworkZones, networkZonesSchema, OUTSIDE_ZONE } from './core/network-zones';
export type { NetworkZoneSpec } from './core/network-zones';
