import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from '../core/gateway-metrics';
import { MetricsController } from './metrics.controller';

/** Global: one metrics registry per process, scraped at /metrics. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: GatewayMetrics, useFactory: () => new GatewayMetrics() }],
  exports: [GatewayMetrics],
})
export class TelemetryModule {}
