import type { DatabaseConnection } from '@attest/db';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import type { ServerConfig } from '../gateway.config';

export interface CreateGatewayOptions {
  connection: DatabaseConnection;
  server: Pick<ServerConfig, 'bodyLimitBytes'>;
  logLevels?: LogLevel[] | false;
}

/** Builds the Nest application on Fastify without listening, so tests can drive it in-process. */
export async function createGateway(options: CreateGatewayOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.server.bodyLimitBytes, trustProxy: false });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ connection: options.connection }), adapter, {
    logger: options.logLevels ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  await app.init();
  return app;
}
