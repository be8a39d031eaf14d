import { AuditModule } from '@attest/audit/nest';
import { DatabaseModule, type DatabaseConnection } from '@attest/db';
import { GovernanceModule } from '@attest/governance/nest';
import { IdentityModule, ScimModule } from '@attest/identity/nest';
import { InferenceModule } from '@attest/inference/nest';
import { PiiModule } from '@attest/pii/nest';
import { PolicyModule } from '@attest/policy/nest';
import { RegistryModule } from '@attest/registry/nest';
import { loggingParams, TelemetryModule } from '@attest/telemetry/nest';
import { LoggerModule } from 'nestjs-pino';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { HealthModule } from './health/health.module';
import { OpenAiModule } from './openai/openai.module';

export interface AppModuleOptions {
  connection: DatabaseConnection;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
}

/** Composition root: wires the libs' modules; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggingParams(options.logLevel)),
        TelemetryModule,
        DatabaseModule.forConnection(options.connection),
        AuditModule.forRoot(),
        IdentityModule,
        ScimModule,
        RegistryModule,
        PiiModule,
        PolicyModule,
        InferenceModule,
        GovernanceModule,
        HealthModule,
        OpenAiModule,
        AdminModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
