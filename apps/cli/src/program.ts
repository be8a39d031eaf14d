import { Command } from 'commander';
import { registerMigrateCommand } from './commands/migrate.command';

/** The `attest` command tree; each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('attest')
    .description('Attest: governed, audited inference on self-hosted models')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerMigrateCommand(program);
  return program;
}
