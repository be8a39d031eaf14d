import { InferenceModule } from '@attest/inference/nest';
import { RegistryModule } from '@attest/registry/nest';
import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Module({ imports: [RegistryModule, InferenceModule], controllers: [HealthController], providers: [ReadinessService] })
export class HealthModule {}
