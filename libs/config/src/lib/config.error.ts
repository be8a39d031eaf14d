/** Raised at boot when an environment variable holds a value the product cannot use. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(
    readonly namespace: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for "${namespace}":\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
