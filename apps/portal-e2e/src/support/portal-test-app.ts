import type { DatabaseConnection } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createGateway } from '../../../gateway/src/bootstrap/create-gateway';
import { serverConfig } from '../../../gateway/src/gateway.config';
import { startTestGateway } from '../../../gateway/test/gateway-harness';

export interface PortalTestApp {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  /** Issues a key as the CLI would; returns it in clear. */
  issueKey(request: { name: string; roles: string[]; holder?: 'service' | 'person' }): Promise<string>;
  close(): Promise<void>;
}

export interface PortalTestAppOptions {
  /** Listen on this port (SSO tests must know the URL before the IdP starts); 0 picks one. */
  port?: number;
  /** Extra environment for the gateway's configuration (e.g. ATTEST_OIDC_*), restored on close. */
  env?: Record<string, string>;
  /**
   * Writes to the fresh database before the gateway starts: audit events on past days can only be appended before the
   * gateway's writer records its first event (timestamps never go backwards along the log).
   */
  seed?: (dataSource: DataSource) => Promise<void>;
}

/** The whole gateway in-process on a database of its own (the gateway's own test harness), listening on 127.0.0.1. */
export function startPortalTestApp(options: PortalTestAppOptions = {}): Promise<PortalTestApp> {
  if (options.seed) return startSeededGateway(options.seed, options);
  return startTestGateway({ logLevel: 'error', ...(options.env ? { env: options.env } : {}), ...(options.port === undefined ? {} : { port: options.port }) });
}

/** As the gateway's test harness starts it, with `seed` run on the database first. */
async function startSeededGateway(seed: (dataSource: DataSource) => Promise<void>, options: PortalTestAppOptions): Promise<PortalTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-portal-test-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir, ATTEST_LLAMA_THREADS: '1', ...options.env });
  const db = await createTestDatabase();
  await seed(db.dataSource);
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = serverConfig.load(process.env);
  const app = await createGateway({
    connection,
    server: { bodyLimitBytes: 2 * 1024 * 1024, logLevel: 'error', headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs },
    announce: () => undefined,
  });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const keys = app.get(ApiKeyService);
  return {
    app,
    db,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    issueKey: async (request) => (await keys.create(request, CLI_ACTOR)).key,
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      process.env = saved;
    },
  };
}
