import type { TestDatabase } from '@attest/db/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
}

/** The whole gateway in-process on a database of its own (the gateway's own test harness), listening on 127.0.0.1. */
export function startPortalTestApp(options: PortalTestAppOptions = {}): Promise<PortalTestApp> {
  return startTestGateway({ logLevel: 'error', ...(options.env ? { env: options.env } : {}), ...(options.port === undefined ? {} : { port: options.port }) });
}
