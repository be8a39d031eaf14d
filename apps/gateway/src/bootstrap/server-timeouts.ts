import { ConfigError } from '@attest/config';
import type { ServerOptions } from 'node:http';
import type { ServerConfig } from '../gateway.config';

export type ServerTimeouts = Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

/** The defaults of `serverConfig`, for callers (tests) that build the gateway without loading the environment. */
export const defaultServerTimeouts: ServerTimeouts = { headersTimeoutMs: 15_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000 };

/**
 * Node's HTTP server options that close slow clients (slowloris): `headersTimeout` bounds the time to send the request
 * headers and `requestTimeout` the whole request. Node stops both clocks once the request has been received, so they
 * never cut off an answer, however long a stream runs. Fastify's own `requestTimeout` default (0) would switch node's
 * off, so it is set at both levels. There is deliberately no idle-socket timeout (`connectionTimeout`): a non-streamed
 * answer from a slow model sends no byte for minutes and must not be cut.
 *
 * Node checks its connections for these deadlines every `connectionsCheckingInterval` (30 s by default), which would let
 * a slow client hold a socket well past the limit: the interval is derived from the headers timeout instead.
 */
export function serverTimeoutOptions(timeouts: ServerTimeouts): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw new ConfigError('server', [
      `ATTEST_HEADERS_TIMEOUT_MS=${timeouts.headersTimeoutMs} is not allowed: it must not exceed ATTEST_REQUEST_TIMEOUT_MS=${timeouts.requestTimeoutMs}, which covers the headers too.`,
    ]);
  }
  return {
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
  };
}
