import type { IncomingMessage } from 'node:http';
import { v7 as uuidv7 } from 'uuid';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of one request, used by the HTTP server, every log line and every audit event: the caller's `x-request-id`
 * when it is well-formed, else a new UUIDv7 (time-ordered, so ids sort like the log).
 *
 * @example
 * new FastifyAdapter({ genReqId: requestIdOf });
 */
export function requestIdOf(request: IncomingMessage): string {
  const supplied = request.headers['x-request-id'];
  return typeof supplied === 'string' && REQUEST_ID.test(supplied) ? supplied : uuidv7();
}
