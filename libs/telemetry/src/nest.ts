// Public API of @attest/telemetry/nest.
export { loggingParams } from './nest/logging';
export { MetricsController } from './nest/metrics.controller';
export { TelemetryModule } from './nest/telemetry.module';
