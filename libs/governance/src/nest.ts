// Public API of @attest/governance/nest: the governed request path as Nest services.
export { GovernanceModule } from './nest/governance.module';
export { GovernedCatalogService } from './nest/governed-catalog.service';
export { GovernedEmbeddingService } from './nest/governed-embedding.service';
export { GovernedInferenceService } from './nest/governed-inference.service';
export type { GenerationOutcome, GovernedGeneration, TextSink } from './nest/governed-inference.service';
export { RequestGateService, redactionPolicy, toModelSpec } from './nest/request-gate.service';
export type { AdmittedCall, GateRequest, GovernedAction } from './nest/request-gate.service';
export { AdminActGate } from './nest/admin-act-gate.service';
export type { AdminAction, AdminActRequest } from './nest/admin-act-gate.service';
