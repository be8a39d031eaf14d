import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { requestIdOf } from '../core/request-id';
import { currentTraceId } from '../core/tracing';

/**
 * Structured JSON logs (pino): one line per event with request id and trace id. Credentials are removed before a line
 * is written, and bodies are never logged, so prompts, answers and PII cannot reach the log.
 */
export function loggingParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      // The server assigned the id (requestIdOf); log lines carry the same one.
      genReqId: (request: IncomingMessage & { id?: unknown }) => (typeof request.id === 'string' ? request.id : requestIdOf(request)),
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
