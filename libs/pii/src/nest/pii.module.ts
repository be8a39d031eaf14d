import { Module } from '@nestjs/common';
import { piiConfig, piiEngineOptions, type PiiConfig } from '../core/pii.config';
import { createPiiEngine, type PiiEngine } from '../core/pii-engine';
import { PII_CONFIG, PII_ENGINE } from './pii.tokens';

/**
 * Provides {@link PII_ENGINE}: one engine per process, built from the `pii` namespace (ATTEST_PII_* variables). A bad
 * value, an unknown phone region or an unsafe custom pattern stops start-up with a message naming the variable.
 *
 * @example
 * @Module({ imports: [PiiModule] })
 * class GatewayModule {}
 * // constructor(@Inject(PII_ENGINE) private readonly pii: PiiEngine) {}
 */
@Module({
  providers: [
    { provide: PII_CONFIG, useFactory: (): PiiConfig => piiConfig.load() },
    { provide: PII_ENGINE, useFactory: (config: PiiConfig): PiiEngine => createPiiEngine(piiEngineOptions(config)), inject: [PII_CONFIG] },
  ],
  exports: [PII_CONFIG, PII_ENGINE],
})
export class PiiModule {}
