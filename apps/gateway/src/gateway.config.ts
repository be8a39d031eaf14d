import { defineConfig, tcpPort } from '@attest/config';
import { z } from 'zod';

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
});

export type ServerConfig = ReturnType<typeof serverConfig.load>;
