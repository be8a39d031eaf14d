import { InferenceModule } from '@attest/inference/nest';
import { PiiModule } from '@attest/pii/nest';
import { PolicyModule } from '@attest/policy/nest';
import { RegistryModule } from '@attest/registry/nest';
import { Module } from '@nestjs/common';
import { governanceConfig } from '../core/governance.config';
import { AdminActGate } from './admin-act-gate.service';
import { GovernedCatalogService } from './governed-catalog.service';
import { GovernedEmbeddingService } from './governed-embedding.service';
import { GovernedInferenceService } from './governed-inference.service';
import { GOVERNANCE_CONFIG } from './governance.tokens';
import { RequestGateService } from './request-gate.service';
import { RuntimeMetricsBinder } from './runtime-metrics.binder';
import { TokenUsageRecorder } from './token-usage.recorder';

/** The governed request path. Needs the global audit and identity modules in the application. */
@Module({
  imports: [RegistryModule, PiiModule, PolicyModule, InferenceModule],
  providers: [
    { provide: GOVERNANCE_CONFIG, useFactory: () => governanceConfig.load() },
    RequestGateService,
    TokenUsageRecorder,
    GovernedInferenceService,
    GovernedEmbeddingService,
    GovernedCatalogService,
    RuntimeMetricsBinder,
    AdminActGate,
  ],
  exports: [AdminActGate, GovernedInferenceService, GovernedEmbeddingService, GovernedCatalogService],
})
export class GovernanceModule {}
