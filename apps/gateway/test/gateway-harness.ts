import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { DatabaseConnection } from '@attest/db';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../src/bootstrap/create-gateway';

export interface GatewayHarness {
  app: NestFastifyApplication;
  db: TestDatabase;
  close(): Promise<void>;
}

/** An in-process gateway on a database of its own, driven with Fastify's inject (no port). */
export async function startTestGateway(options: { bodyLimitBytes?: number } = {}): Promise<GatewayHarness> {
  // Local state (audit signing key, checkpoint sink) belongs to one database: give each harness its own folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-gateway-spec-'));
  const savedDataDir = process.env['ATTEST_DATA_DIR'];
  process.env['ATTEST_DATA_DIR'] = dataDir;
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const app = await createGateway({
    connection,
    server: { bodyLimitBytes: options.bodyLimitBytes ?? 2 * 1024 * 1024, logLevel: 'silent' },
    announce: () => undefined,
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (savedDataDir === undefined) delete process.env['ATTEST_DATA_DIR'];
      else process.env['ATTEST_DATA_DIR'] = savedDataDir;
    },
  };
}
