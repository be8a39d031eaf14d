import { DatabaseModule, type DatabaseConnection } from '@attest/db';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { HealthModule } from './health/health.module';

export interface AppModuleOptions {
  connection: DatabaseConnection;
}

/** Composition root: wires the libs' modules; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [DatabaseModule.forConnection(options.connection), HealthModule],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
