import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyEngine } from '../core/policy-engine';
import { policyConfig, type PolicyConfig } from '../core/policy.config';
import { PolicyActivationService } from './policy-activation.service';
import { PolicyBundleRepository } from './policy-bundle.repository';
import { PolicyEngineProvider } from './policy-engine.provider';
import { PolicySignaturePolicy } from './policy-signature';
import { QuotaService } from './quota.service';
import { POLICY_CONFIG } from './policy.tokens';

/**
 * Policy-as-code for the gateway: {@link PolicyEngine} (kept current by {@link PolicyEngineProvider}), bundle
 * activation, and the quotas that policies set ({@link QuotaService}). Needs a TypeORM `DataSource` and the global `AUDIT_RECORDER` from the modules imported beside it.
 */
@Module({
  providers: [
    { provide: POLICY_CONFIG, useFactory: (): PolicyConfig => policyConfig.load() },
    { provide: PolicySignaturePolicy, useFactory: (config: PolicyConfig) => PolicySignaturePolicy.fromConfig(config), inject: [POLICY_CONFIG] },
    { provide: PolicyBundleRepository, useFactory: (dataSource: DataSource) => new PolicyBundleRepository(dataSource), inject: [DataSource] },
    {
      provide: PolicyEngineProvider,
      useFactory: (config: PolicyConfig, repository: PolicyBundleRepository, signatures: PolicySignaturePolicy) =>
        PolicyEngineProvider.create({ config, repository, signatures, log: new Logger('Policy') }),
      inject: [POLICY_CONFIG, PolicyBundleRepository, PolicySignaturePolicy],
    },
    { provide: PolicyEngine, useFactory: (provider: PolicyEngineProvider) => provider.current(), inject: [PolicyEngineProvider] },
    {
      provide: PolicyActivationService,
      useFactory: (dataSource: DataSource, audit: AuditRecorder, signatures: PolicySignaturePolicy) =>
        new PolicyActivationService(dataSource, audit, signatures),
      inject: [DataSource, AUDIT_RECORDER, PolicySignaturePolicy],
    },
    { provide: QuotaService, useFactory: (dataSource: DataSource) => new QuotaService(dataSource), inject: [DataSource] },
  ],
  exports: [POLICY_CONFIG, PolicyEngine, PolicyEngineProvider, PolicyActivationService, PolicyBundleRepository, QuotaService],
})
export class PolicyModule {}
