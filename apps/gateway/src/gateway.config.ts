import { defineConfig, tcpPort } from '@attest/config';
import { z } from 'zod';

const milliseconds = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const serverConfig = defineConfig('server', {
  port: { env: 'PORT', schema: tcpPort.default(8080), description: 'HTTP port, 0..65535 (default 8080)' },
  host: {
    env: 'HOST',
    schema: z.string().min(1).default('0.0.0.0'),
    description: 'interface to listen on (default 0.0.0.0; 127.0.0.1 for local only)',
  },
  bodyLimitBytes: {
    env: 'ATTEST_BODY_LIMIT_BYTES',
    schema: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
    description: 'largest accepted request body in bytes, 1024..67108864 (default 2 MiB)',
  },
  logLevel: {
    env: 'ATTEST_LOG_LEVEL',
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    description: 'log level: trace, debug, info, warn, error, fatal or silent (default info)',
  },
  shutdownGraceMs: {
    env: 'ATTEST_SHUTDOWN_GRACE_MS',
    schema: z.coerce.number().int().min(0).max(300_000).default(10_000),
    description: 'milliseconds in-flight requests get to finish after SIGTERM (default 10000)',
  },
  // Slow-client (slowloris) limits. They bound how long a client may take to SEND its request; node stops both clocks
  // once the request has arrived, so a streamed answer may last as long as the model takes.
  headersTimeoutMs: {
    env: 'ATTEST_HEADERS_TIMEOUT_MS',
    schema: milliseconds(100, 600_000, 15_000),
    description:
      'milliseconds a client has to send its complete request headers (a connection that sends nothing is closed too); slower clients get 408 and are disconnected (100..600000, at most ATTEST_REQUEST_TIMEOUT_MS, default 15000)',
  },
  requestTimeoutMs: {
    env: 'ATTEST_REQUEST_TIMEOUT_MS',
    schema: milliseconds(100, 3_600_000, 60_000),
    description:
      'milliseconds a client has to send its whole request, headers and body; it does not limit the answer, so long streamed answers are unaffected (100..3600000, default 60000)',
  },
  keepAliveTimeoutMs: {
    env: 'ATTEST_KEEP_ALIVE_TIMEOUT_MS',
    schema: milliseconds(1_000, 600_000, 72_000),
    description:
      'milliseconds an idle keep-alive connection stays open for its next request; keep it above a load balancer\'s idle timeout (1000..600000, default 72000)',
  },
});

export type ServerConfig = ReturnType<typeof serverConfig.load>;
