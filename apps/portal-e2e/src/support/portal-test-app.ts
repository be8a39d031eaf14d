import { type DatabaseConnection } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminModule } from '../../../gateway/src/admin/admin.module';
import { AppModule } from '../../../gateway/src/app.module';

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
 * The whole gateway (its AppModule) plus AdminModule on a database of their own, listening on 127.0.0.1. Once
 * AppModule imports AdminModule itself, apps/gateway-e2e/src/support/e2e-gateway.ts can replace this.
 */
export async function startPortalTestApp(options: PortalTestAppOptions = {}): Promise<PortalTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-portal-e2e-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir, ATTEST_LLAMA_THREADS: '1', ...options.env });
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };

  @Module({ imports: [AppModule.forRoot({ connection, logLevel: 'error' }), AdminModule] })
  class PortalTestModule {}

  const app = await NestFactory.create<NestFastifyApplication>(PortalTestModule, new FastifyAdapter(), { logger: ['error'], abortOnError: false });
  await app.init();
  await app.get(ModelRegistryService).ensureBuiltinModel(() => undefined);
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
