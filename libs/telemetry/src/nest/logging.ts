import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { v7 as uuidv7 } from 'uuid';
import { currentTraceId } from '../core/tracing';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Structured JSON logs (pino): one line per event with request id and trace id. Credentials are removed before a line
 * is written, and bodies are never logged, so prompts, answers and PII cannot reach the log.
 */
export function loggingParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const supplied = request.headers['x-request-id'];
        const id = typeof supplied === 'string' && REQUEST_ID.test(supplied) ? supplied : uuidv7();
        response.setHeader('x-request-id', id);
        return id;
      },
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { traceId } : {};
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url?.split('?')[0] }),
      },
      autoLogging: { ignore: (request: IncomingMessage) => request.url === '/healthz' || request.url === '/metrics' },
    },
  };
}
