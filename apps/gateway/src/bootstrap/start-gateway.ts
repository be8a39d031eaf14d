import { databaseConfig, migrate, openDatabase, redactUrl, type DatabaseConnection } from '@attest/db';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { serverConfig } from '../gateway.config';
import { createGateway } from './create-gateway';

export interface RunningGateway {
  app: NestFastifyApplication;
  connection: DatabaseConnection;
  url: string;
  /** Stops accepting, lets in-flight requests finish, closes the pool, stops embedded PostgreSQL. */
  stop(): Promise<void>;
}

/** Thrown for start-up failures that have a plain-language explanation; the entry point prints it and exits 1. */
export class StartupError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * Zero-configuration start: typed config, database (embedded when DATABASE_URL is unset), migrations, HTTP. `env`
 * sets the server and database settings only; every module reads its own settings from `process.env` when the
 * application is created, so an in-process caller sets those there.
 */
export async function startGateway(env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  const logger = new Logger('attest');
  const server = serverConfig.load(env);
  const database = databaseConfig.load(env);

  const connection = await openDatabase(database, { log: (line) => logger.log(line), applicationName: 'attest-gateway', embeddedSharing: 'offer' });
  logger.log(
    connection.mode === 'embedded'
      ? `embedded PostgreSQL ready (data in ${database.dataDir})`
      : `connected to PostgreSQL at ${redactUrl(database.url ?? '')}`,
  );
  let app: NestFastifyApplication | undefined;
  try {
    const ran = await migrate(connection.dataSource);
    if (ran.length > 0) logger.log(`applied migrations: ${ran.join(', ')}`);
    app = await createGateway({ connection, server });
    await listen(app, server.port, server.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await connection.close();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : server.port;
  const url = `http://${server.host === '0.0.0.0' ? '127.0.0.1' : server.host}:${port}`;
  logger.log(`Attest gateway listening on ${url}`);

  const running = app;
  let stopping: Promise<void> | undefined;
  return {
    app: running,
    connection,
    url,
    stop() {
      stopping ??= (async () => {
        // Fastify stops accepting at once and waits for in-flight requests; past the grace period, close anyway.
        await closeWithin(running, server.shutdownGraceMs, logger);
        await connection.close();
      })();
      return stopping;
    },
  };
}

async function closeWithin(app: NestFastifyApplication, graceMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), graceMs);
  });
  const outcome = await Promise.race([app.close().then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'expired') {
    logger.warn(`in-flight requests still running after ${graceMs} ms; closing their connections`);
    app.getHttpAdapter().getInstance().server.closeAllConnections();
  }
}

async function listen(app: NestFastifyApplication, port: number, host: string): Promise<void> {
  try {
    await app.listen(port, host);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(`port ${port} on ${host} is already in use: stop the other program or set PORT to a free port`, code);
    }
    if (code === 'EACCES') {
      throw new StartupError(`not allowed to listen on port ${port}: choose a port above 1024 with PORT`, code);
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new StartupError(`HOST=${host} is not an address of this machine`, code);
    }
    throw error;
  }
}

