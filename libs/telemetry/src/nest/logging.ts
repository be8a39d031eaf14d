import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { requestIdOf } from '../core/request-id';
import { tracingActive } from '../core/otel-sdk';
import { currentTraceId } from '../core/tracing';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

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
      // Without the OpenTelemetry SDK (no exporter configured) no span is active: the client's trace id comes from its
      // W3C `traceparent` header instead, so log lines still join the caller's trace.
      customProps: (request: IncomingMessage) => {
        if (tracingActive()) return {};
        const traceparent = request.headers.traceparent;
        const traceId = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
        return traceId ? { traceId } : {};
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
