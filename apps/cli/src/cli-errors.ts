import { ConfigError } from '@attest/config';

/** Exit codes: 1 for a failed operation, 2 for wrong configuration or usage. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigError ? 2 : 1;
}
