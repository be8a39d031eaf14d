import 'reflect-metadata';
import { describeError } from '@attest/util';
import { exitCodeFor } from './cli-errors';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`attest: ${describeError(error)}\n`);
      process.exit(exitCodeFor(error));
    },
  );
