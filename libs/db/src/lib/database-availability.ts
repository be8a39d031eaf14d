/**
 * SQLSTATE classes and codes that say "the server cannot serve this now", not "this statement is wrong": connection
 * exceptions (08), insufficient resources such as a full disk (53), operator intervention such as a shutdown (57P01..3),
 * system errors such as an I/O failure (58), and a read-only server (25006: a standby, or a primary put into read-only
 * mode because its disk is nearly full).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3]|58...|25006)$/;
/** Socket-level failures reaching or talking to the server. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres reports a lost or unobtainable connection with these messages and no code. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused)/i;

/**
 * TypeORM releases a transaction's query runner when its connection fails; the transaction's next statement then
 * throws this instead of the connection error.
 */
const CONNECTION_LOST_NAMES = new Set(['QueryRunnerProviderAlreadyReleasedError']);

/**
 * True when a database error means the server is unreachable or cannot take the work right now (so the request should
 * be refused with 503 and may succeed later), rather than a bug. Looks through TypeORM's QueryFailedError (`driverError`)
 * and `cause` chains; duck-typed, because pg's errors may come from another realm under test sandboxes.
 *
 * @example
 * if (isDatabaseUnavailable(error)) return reply.status(503).send(...);
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, name, message, driverError, cause } = current as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof name === 'string' && CONNECTION_LOST_NAMES.has(name)) return true;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}
