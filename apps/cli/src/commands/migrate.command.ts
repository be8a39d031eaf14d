import { databaseConfig, migrate, migrationStatus, openDatabase } from '@attest/db';
import type { Command } from 'commander';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (refuses a database migrated by a newer Attest)')
    .option('--status', 'only list applied, pending and unknown migrations')
    .option('--database-url <url>', 'PostgreSQL to migrate (default: DATABASE_URL, else the embedded one)')
    .action(async (options: { status?: boolean; databaseUrl?: string }) => {
      const env = options.databaseUrl ? { ...process.env, DATABASE_URL: options.databaseUrl } : process.env;
      const connection = await openDatabase(databaseConfig.load(env), { applicationName: 'attest-cli', embeddedSharing: 'join' });
      try {
        if (options.status) {
          const status = await migrationStatus(connection.dataSource);
          for (const name of status.applied) process.stdout.write(`applied  ${name}${status.unknown.includes(name) ? ' (unknown to this build)' : ''}\n`);
          for (const name of status.pending) process.stdout.write(`pending  ${name}\n`);
          return;
        }
        const ran = await migrate(connection.dataSource);
        process.stdout.write(ran.length === 0 ? 'database schema is up to date\n' : `applied ${ran.length}: ${ran.join(', ')}\n`);
      } finally {
        await connection.close();
      }
    });
}
