import { type DatabaseConnection } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../../../gateway/src/bootstrap/create-gateway';

export interface PortalTestApp {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  /** Issues a key as the CLI would; returns it in clear. */
  issueKey(request: { name: string; roles: string[] }): Promise<string>;
  close(): Promise<void>;
}

export interface PortalTestAppOptions {
  /** Listen on this port (SSO tests must know the URL before the IdP starts); 0 picks one. */
  port?: number;
  /** Extra environment for the gateway's configuration (e.g. ATTEST_OIDC_*), restored on close. */
  env?: Record<string, string>;
}

/**
 * The whole gateway in-process on a database of its own, listening on 127.0.0.1, built the way
 * apps/gateway-e2e/src/support/e2e-gateway.ts builds it; unlike that helper it can listen on a port chosen in advance.
 */
export async function startPortalTestApp(options: PortalTestAppOptions = {}): Promise<PortalTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-portal-e2e-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir, ATTEST_LLAMA_THREADS: '1', ...options.env });
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const app = await createGateway({ connection, server: { bodyLimitBytes: 2 * 1024 * 1024, logLevel: 'error' } });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const keys = app.get(ApiKeyService);
  return {
    url,
    app,
    db,
    issueKey: async (request) => (await keys.create(request, CLI_ACTOR)).key,
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      process.env = saved;
    },
  };
}
