import { defineConfig, postgresUrl, tcpPort } from '@attest/config';
import { z } from 'zod';

/** The database namespace: an external PostgreSQL, or an embedded one in a local data folder. */
export const databaseConfig = defineConfig('database', {
  url: {
    env: 'DATABASE_URL',
    schema: postgresUrl.optional(),
    description: 'postgres://user:password@host:port/database; unset starts an embedded PostgreSQL',
    sensitive: true,
  },
  dataDir: {
    env: 'ATTEST_DATA_DIR',
    schema: z.string().min(1).default('.attest'),
    description: 'folder for the embedded PostgreSQL and local state (default .attest)',
  },
  embeddedPort: {
    env: 'ATTEST_EMBEDDED_PG_PORT',
    schema: tcpPort.default(0),
    description: 'TCP port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one',
  },
  connectTimeoutMs: {
    env: 'ATTEST_DB_CONNECT_TIMEOUT_MS',
    schema: z.coerce.number().int().min(100).max(60_000).default(10_000),
    description: 'milliseconds to wait for the database to answer before giving up (100..60000)',
  },
  poolSize: {
    env: 'ATTEST_DB_POOL_SIZE',
    schema: z.coerce.number().int().min(1).max(200).default(10),
    description: 'connections in the pool (1..200)',
  },
});

export type DatabaseConfig = ReturnType<typeof databaseConfig.load>;
