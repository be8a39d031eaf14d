const STABLE_CODE = /^[A-Z][A-Z0-9_]+$/;

/**
 * One line for a person: `[CODE] message` for every error that carries a stable code (the domain errors of every
 * lib, and Node's system errors); the stack only for the unexpected, where an operator needs it.
 *
 * @example
 * process.stderr.write(`attest: ${describeError(error)}\n`);
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && STABLE_CODE.test(code)) return `[${code}] ${error.message}`;
  return error.stack ?? error.message;
}
