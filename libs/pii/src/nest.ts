// Public API of @attest/pii/nest: the Nest module beside the core.
export { PiiModule } from './nest/pii.module';
export { PII_CONFIG, PII_ENGINE } from './nest/pii.tokens';
