import type { DatabaseConnection } from '@attest/db';
import { identityConfig } from '@attest/identity';
import { ApiKeyService } from '@attest/identity/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { requestIdOf } from '@attest/telemetry';
import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { clientErrorHandler, routeErrorHandler } from '../errors/fastify-errors';
import type { ServerConfig } from '../gateway.config';
import { defaultServerTimeouts, serverTimeoutOptions, type ServerTimeouts } from './server-timeouts';
import { addSecurityHeaders } from './security-headers';

export interface CreateGatewayOptions {
  connection: DatabaseConnection;
  /** Slow-client timeouts default to `serverConfig`'s defaults. */
  server: Pick<ServerConfig, 'bodyLimitBytes' | 'logLevel'> & Partial<ServerTimeouts>;
  /**
   * Where first-start notices go, the generated bootstrap admin key among them: straight to the console, never into
   * the structured log stream that is shipped elsewhere. Default: stdout.
   */
  announce?: (line: string) => void;
}

/** Builds the Nest application on Fastify without listening, so tests can drive it in-process. */
export async function createGateway(options: CreateGatewayOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.server.bodyLimitBytes,
    trustProxy: false,
    genReqId: requestIdOf,
    clientErrorHandler,
    ...serverTimeoutOptions({ ...defaultServerTimeouts, ...definedOnly(options.server) }),
  });
  // Before Nest adds its routes: errors Fastify raises for a route (body parsing, limits) get OpenAI's shape too.
  adapter.getInstance().addHook('onRoute', (route) => {
    route.errorHandler ??= routeErrorHandler;
  });
  // SCIM clients (Okta, Entra ID) send application/scim+json (RFC 7644 §3.1): parsed by Fastify's own JSON parser.
  adapter.getInstance().addContentTypeParser('application/scim+json', { parseAs: 'string' }, adapter.getInstance().getDefaultJsonParser('error', 'error'));
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ connection: options.connection, logLevel: options.server.logLevel }),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(PinoLogger));
  // Every answer names its request, so a caller can quote it to an auditor.
  app.getHttpAdapter().getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  addSecurityHeaders(app.getHttpAdapter().getInstance(), identityConfig.load().publicUrl);
  app.flushLogs();
  await app.init();
  await firstStart(app, options.announce ?? ((line) => process.stdout.write(`${line}\n`)));
  return app;
}

function definedOnly(server: Partial<ServerTimeouts>): Partial<ServerTimeouts> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = server;
  return Object.fromEntries(Object.entries({ headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs }).filter(([, value]) => value !== undefined));
}

/**
 * An empty database gets a model to serve (the built-in demo model) and a way in (the bootstrap admin key, printed
 * once). Both are idempotent and safe when several replicas start together.
 */
async function firstStart(app: NestFastifyApplication, announce: (line: string) => void): Promise<void> {
  const logger = new Logger('first-start');
  await app.get(ModelRegistryService).ensureBuiltinModel((line) => logger.log(line));
  await app.get(ApiKeyService).ensureBootstrapAdmin(announce);
}
