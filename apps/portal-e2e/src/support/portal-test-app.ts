import { AuditModule } from '@attest/audit/nest';
import { DatabaseModule, type DatabaseConnection } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { identityConfig, type IdentityConfig } from '@attest/identity';
import { ApiKeyService, CLI_ACTOR, IdentityModule } from '@attest/identity/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- an end-to-end spec boots the app it tests
import { AdminModule } from '../../../gateway/src/admin/admin.module';
// eslint-disable-next-line @nx/enforce-module-boundaries -- an end-to-end spec boots the app it tests
import { AllExceptionsFilter } from '../../../gateway/src/errors/all-exceptions.filter';

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
  identity?: Partial<IdentityConfig>;
}

/**
 * The admin API and the built portal on a database of their own, composed like the gateway composes them (database,
 * audit, identity, then AdminModule, which brings the registry and policy modules), listening on 127.0.0.1.
 * Once the gateway's AppModule imports AdminModule, apps/gateway-e2e/src/support/e2e-gateway.ts can replace this.
 */
export async function startPortalTestApp(options: PortalTestAppOptions = {}): Promise<PortalTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-portal-e2e-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir });
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const config: IdentityConfig = { ...identityConfig.load({}), ...options.identity };

  @Module({
    imports: [DatabaseModule.forConnection(connection), AuditModule.forRoot(), IdentityModule.forRoot({ config }), AdminModule],
    providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
  })
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
