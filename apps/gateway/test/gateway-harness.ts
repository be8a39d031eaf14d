import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { DatabaseConnection } from '@attest/db';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../src/bootstrap/create-gateway';
import { serverConfig, type ServerConfig } from '../src/gateway.config';

export interface GatewayHarness {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** `http://127.0.0.1:<port>` of the listening gateway. */
  url: string;
  /** Issues a key as the CLI would; returns it in clear. */
  issueKey(request: { name: string; roles: string[]; models?: string[]; holder?: 'service' | 'person' }): Promise<string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  bodyLimitBytes?: number;
  logLevel?: ServerConfig['logLevel'];
  /** Extra environment for the gateway's configuration namespaces, restored on close. */
  env?: Record<string, string>;
  /** Listen on this loopback port (SSO tests must know the URL before the IdP starts); default: a free one. */
  port?: number;
}

/**
 * The whole gateway in-process on a database of its own, listening on 127.0.0.1; the unit specs of the gateway, the
 * HTTP end-to-end suite and the portal's browser tests all start it this way.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<GatewayHarness> {
  // Local state (audit signing key, checkpoint sink) belongs to one database: give each harness its own folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-gateway-test-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir, ATTEST_LLAMA_THREADS: '1', ...options.env });
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  // Slow-client timeouts come from the environment (ATTEST_HEADERS_TIMEOUT_MS, ...), so a spec can shorten them.
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = serverConfig.load(process.env);
  const app = await createGateway({
    connection,
    server: { bodyLimitBytes: options.bodyLimitBytes ?? 2 * 1024 * 1024, logLevel: options.logLevel ?? 'silent', headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs },
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
