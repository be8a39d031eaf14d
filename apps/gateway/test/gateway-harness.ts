import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { DatabaseConnection } from '@attest/db';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGateway } from '../src/bootstrap/create-gateway';

export interface GatewayHarness {
  app: NestFastifyApplication;
  db: TestDatabase;
  close(): Promise<void>;
}

/** An in-process gateway on a database of its own, driven with Fastify's inject (no port). */
export async function startTestGateway(options: { bodyLimitBytes?: number } = {}): Promise<GatewayHarness> {
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const app = await createGateway({
    connection,
    server: { bodyLimitBytes: options.bodyLimitBytes ?? 2 * 1024 * 1024 },
    logLevels: false,
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
