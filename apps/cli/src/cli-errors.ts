import { ConfigError } from '@attest/config';
import { DatabaseError } from '@attest/db';

/** Exit codes: 1 for a failed operation, 2 for wrong configuration or usage. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigError ? 2 : 1;
}

/** One readable line for known failures; a stack only for the unexpected. */
export function describeCliError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DatabaseError) return `[${error.code}] ${error.message}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
