import { Command } from 'commander';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerPoliciesCommand } from './commands/policies.command';
import { registerModelsCommand } from './commands/models.command';
import { registerAuditCommand } from './commands/audit.command';
import { registerWitnessCommand } from './commands/witness.command';
import { registerPiiCommand } from './commands/pii.command';

/** The `attest` command tree; each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('attest')
    .description('Attest: governed, audited inference on self-hosted models')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerMigrateCommand(program);
  registerKeysCommand(program);
  registerPoliciesCommand(program);
  registerModelsCommand(program);
  registerAuditCommand(program);
  registerWitnessCommand(program);
  registerPiiCommand(program);
  return program;
}
