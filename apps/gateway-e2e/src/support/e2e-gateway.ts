import type { TestDatabase } from '@attest/db/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestGateway } from '../../../gateway/test/gateway-harness';

export interface E2eGateway {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  /** A freshly issued admin key for the official client. */
  adminKey: string;
  issueKey(request: { name: string; roles: string[]; models?: string[]; holder?: 'service' | 'person' }): Promise<string>;
  /** Polls the audit log until the request's response event exists; returns its outcome. */
  waitForResponseEvent(requestId: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** The whole gateway in-process on a database of its own, listening on a free loopback port, with an admin key. */
export async function startE2eGateway(env: Record<string, string> = {}): Promise<E2eGateway> {
  const harness = await startTestGateway({ env, logLevel: 'error' });
  const { url, app, db, issueKey } = harness;
  const adminKey = await issueKey({ name: 'e2e-admin', roles: ['admin', 'developer'], holder: 'person' });

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
    close: () => harness.close(),
  };
}
