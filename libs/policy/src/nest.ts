// Public API of @attest/policy/nest: the Nest module and persistence beside the core.
export { PolicyModule } from './nest/policy.module';
export { PolicyEngineProvider } from './nest/policy-engine.provider';
export type { PolicyEngineProviderOptions } from './nest/policy-engine.provider';
export { PolicyActivationService } from './nest/policy-activation.service';
export type { ActivationResult } from './nest/policy-activation.service';
export { PolicyBundleRepository } from './nest/policy-bundle.repository';
export type { StoredBundleSummary } from './nest/policy-bundle.repository';
export { PolicySignaturePolicy } from './nest/policy-signature';
export { POLICY_CONFIG } from './nest/policy.tokens';
export { QuotaService } from './nest/quota.service';
export type { QuotaSubject } from './nest/quota.service';
