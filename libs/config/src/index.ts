export { ConfigError } from './lib/config.error';
export { defineConfig, describeConfig } from './lib/define-config';
export type { ConfigNamespace, ConfigOf, ConfigVariable } from './lib/define-config';
export { booleanFlag, postgresUrl, tcpPort } from './lib/schemas';
