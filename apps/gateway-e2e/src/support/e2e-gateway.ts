import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { DatabaseConnection } from '@attest/db';
import { ApiKeyService, CLI_ACTOR } from '@attest/identity/nest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../../../gateway/src/bootstrap/create-gateway';

export interface E2eGateway {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  /** A freshly issued admin key for the official client. */
  adminKey: string;
  issueKey(request: { name: string; roles: string[]; models?: string[] }): Promise<string>;
  /** Polls the audit log until the request's response event exists; returns its outcome. */
  waitForResponseEvent(requestId: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** The whole gateway in-process on a database of its own, listening on a free loopback port. */
export async function startE2eGateway(env: Record<string, string> = {}): Promise<E2eGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-e2e-'));
  const saved = { ...process.env };
  Object.assign(process.env, { ATTEST_DATA_DIR: dataDir, ATTEST_LLAMA_THREADS: '1', ...env });
  const db = await createTestDatabase();
  const connection: DatabaseConnection = { dataSource: db.dataSource, mode: 'external', close: async () => undefined };
  const app = await createGateway({ connection, server: { bodyLimitBytes: 2 * 1024 * 1024, logLevel: 'error' }, announce: () => undefined });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const keys = app.get(ApiKeyService);
  const issueKey = async (request: { name: string; roles: string[]; models?: string[] }) => (await keys.create(request, CLI_ACTOR)).key;
  const adminKey = await issueKey({ name: 'e2e-admin', roles: ['admin', 'developer'] });

  return {
    url,
    app,
    db,
    adminKey,
    issueKey,
    async waitForResponseEvent(requestId, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const rows: { outcome: string }[] = await db.dataSource.query(
          `SELECT outcome FROM audit_event WHERE action = 'inference.response' AND request_id = $1`,
          [requestId],
        );
        if (rows[0]) return rows[0].outcome;
        if (Date.now() > until) throw new Error(`no response event for ${requestId} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      process.env = saved;
    },
  };
}
