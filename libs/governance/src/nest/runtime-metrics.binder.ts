import { InferenceRuntime } from '@attest/inference';
import { GatewayMetrics } from '@attest/telemetry';
import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';

/** Lets /metrics read each loaded model's queue depth and busy sequences at scrape time. */
@Injectable()
export class RuntimeMetricsBinder implements OnModuleInit {
  constructor(
    private readonly runtime: InferenceRuntime,
    @Optional() private readonly metrics?: GatewayMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics?.observeModels(() => this.runtime.stats().loadedModels);
  }
}
