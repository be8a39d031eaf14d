import 'reflect-metadata';
import { describeCliError, exitCodeFor } from './cli-errors';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`attest: ${describeCliError(error)}\n`);
      process.exit(exitCodeFor(error));
    },
  );
