import { Module } from '@nestjs/common';
import { ModelRegistryService } from './model-registry.service';

/**
 * Provides {@link ModelRegistryService}. Needs TypeORM's DataSource (DatabaseModule) and the global AUDIT_RECORDER
 * (the audit module); REGISTRY_OPTIONS is optional.
 */
@Module({
  providers: [ModelRegistryService],
  exports: [ModelRegistryService],
})
export class RegistryModule {}
