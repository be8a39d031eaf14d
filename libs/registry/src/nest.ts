// Public API of @attest/registry/nest: the Nest module and persistence beside the core.
export { RegistryModule } from './nest/registry.module';
export { ModelRegistryService, REGISTRY_OPTIONS } from './nest/model-registry.service';
export type { RegistryOptions } from './nest/model-registry.service';
export type { ServableModel } from './nest/model-resolver';
export type { RegisterVersionInput } from './nest/registration-input';
export type { AliasRecord, AliasRevisionRecord, AliasTargetRecord, LoraAdapterRecord, VersionRecord } from './nest/registry-records';
export { BUILTIN_APPROVER } from './nest/builtin-model.installer';
