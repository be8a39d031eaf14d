import { AuditError } from '@attest/audit/nest';
import { ConfigError } from '@attest/config';
import { DatabaseError } from '@attest/db';
import { IdentityError } from '@attest/identity';
import { PiiError } from '@attest/pii';
import { PolicyError } from '@attest/policy';
import { RegistryError } from '@attest/registry';

/** Exit codes: 1 for a failed operation, 2 for wrong configuration or usage. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigError ? 2 : 1;
}

/** One readable line for every domain error (`[CODE] message`); a stack only for the unexpected. */
export function describeCliError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (
    error instanceof DatabaseError ||
    error instanceof AuditError ||
    error instanceof IdentityError ||
    error instanceof RegistryError ||
    error instanceof PolicyError ||
    error instanceof PiiError
  ) {
    return `[${error.code}] ${error.message}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
