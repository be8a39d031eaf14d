import 'reflect-metadata';
import { telemetry } from './instrument';
import { describeError } from '@attest/util';
import { startGateway, type RunningGateway } from './bootstrap/start-gateway';

/** Process entry point: start, and stop cleanly on SIGINT/SIGTERM so embedded PostgreSQL shuts down properly. */
async function main(): Promise<void> {
  let gateway: RunningGateway;
  try {
    gateway = await startGateway();
  } catch (error) {
    process.stderr.write(`Attest could not start: ${describeError(error)}\n`);
    process.exit(1);
  }
  const shutdown = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal} received: stopping\n`);
    gateway
      .stop()
      .then(() => telemetry.shutdown())
      .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${describeError(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
