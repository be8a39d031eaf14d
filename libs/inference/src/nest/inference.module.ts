import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InferenceRuntime } from '../core/inference-runtime';
import { inferenceConfig, type InferenceConfig } from '../core/inference.config';

/** Injection token of the loaded inference config namespace. */
export const INFERENCE_CONFIG = Symbol('INFERENCE_CONFIG');

function providersFor(load: () => InferenceConfig) {
  return [
    { provide: INFERENCE_CONFIG, useFactory: load },
    { provide: InferenceRuntime, useFactory: (config: InferenceConfig) => new InferenceRuntime(config), inject: [INFERENCE_CONFIG] },
  ];
}

/**
 * Provides one {@link InferenceRuntime} built from the `inference` config namespace (ATTEST_LLAMA_*, ATTEST_REMOTE_*),
 * and closes it when the application shuts down, after in-flight requests have drained.
 *
 * @example
 * \@Module({ imports: [InferenceModule] }) class AppModule {}
 * // or with explicit settings (tests, benchmarks):
 * \@Module({ imports: [InferenceModule.forRoot({ ...inferenceConfig.load(), sequencesPerModel: 8 })] }) class AppModule {}
 */
@Module({ providers: providersFor(() => inferenceConfig.load()), exports: [InferenceRuntime, INFERENCE_CONFIG] })
export class InferenceModule implements OnApplicationShutdown {
  constructor(private readonly runtime: InferenceRuntime) {}

  static forRoot(config: InferenceConfig): DynamicModule {
    return { module: InferenceModule, providers: providersFor(() => config), exports: [InferenceRuntime, INFERENCE_CONFIG] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
