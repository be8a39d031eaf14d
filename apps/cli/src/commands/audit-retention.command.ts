import { userInfo } from 'node:os';
import { AuditRetention, AuditWriter, LegalHolds, type AuditSettings, type LegalHold } from '@attest/audit/nest';
import type { AuditActor } from '@attest/contracts';
import type { DatabaseConnection } from '@attest/db';
import { CLI_ACTOR } from '@attest/identity/nest';
import type { Command, Option } from 'commander';
import { envWith, guarded, loadAuditSettings, localCheckpointer, withDatabase } from './audit-cli-support';

const cliActor = (): AuditActor => ({ ...CLI_ACTOR, principalId: `cli:${userInfo().username}` });

interface Tools {
  settings: AuditSettings;
  writer: AuditWriter;
  holds: LegalHolds;
}

/** Runs `work` with a writer into the chain (closed afterwards, so every record is committed before exit). */
function withTools(databaseUrl: string | undefined, work: (tools: Tools, connection: DatabaseConnection) => Promise<number>): Promise<void> {
  return guarded(() =>
    withDatabase(databaseUrl, async (connection) => {
      const settings = loadAuditSettings(envWith(databaseUrl));
      const writer = new AuditWriter(connection.dataSource, settings);
      try {
        return await work({ settings, writer, holds: new LegalHolds(connection.dataSource, writer, settings.dbRole) }, connection);
      } finally {
        await writer.close();
      }
    }),
  );
}

const describeHold = (hold: LegalHold): string =>
  `${hold.id}  ${hold.release ? `released ${hold.release.releasedAt} by ${hold.release.releasedBy}` : 'IN FORCE'}  covers ${hold.coversFrom ?? '-∞'} .. ${hold.coversTo ?? '∞'}  set ${hold.setAt} by ${hold.setBy}: ${hold.reason}`;

/** `attest audit retention status|apply` and `attest audit hold set|release|list`. */
export function registerAuditRetentionCommands(audit: Command, databaseUrl: Option): void {
  const retention = audit.command('retention').description('monthly partitions of the log and their retention (ATTEST_AUDIT_RETENTION_MONTHS)');
  const retentionOf = (tools: Tools, connection: DatabaseConnection, checkpointer: { checkpoint(): Promise<string | undefined> }) =>
    new AuditRetention(connection.dataSource, tools.writer, checkpointer, tools.holds, { retentionMonths: tools.settings.retentionMonths, intervalMs: 0, dbRole: tools.settings.dbRole });

  retention
    .command('status')
    .description('list the monthly partitions: events, first position, when each is due, and the holds that keep it')
    .addOption(databaseUrl)
    .option('--json', 'print the machine-readable plan')
    .action((options: { databaseUrl?: string; json?: boolean }) =>
      withTools(options.databaseUrl, async (tools, connection) => {
        const plan = await retentionOf(tools, connection, { checkpoint: async () => undefined }).plan();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(`retention ${plan.retentionMonths} months; log retained from position ${plan.retainedFrom}; ${plan.holdsInForce.length} legal hold(s) in force\n`);
        for (const p of plan.partitions) {
          process.stdout.write(`${p.name.padEnd(24)} ${p.status.padEnd(8)} ${String(p.events).padStart(9)} events  ${p.from ?? '-∞'} .. ${p.to ?? '∞'}  due ${p.dueAt ?? '-'}${p.heldBy.length ? `  held by ${p.heldBy.join(', ')}` : ''}\n`);
        }
        return 0;
      }),
    );

  retention
    .command('apply')
    .description('drop the months whose retention has ended (oldest first, never under a legal hold), each drop a checkpointed audit event')
    .addOption(databaseUrl)
    .action((options: { databaseUrl?: string }) =>
      withTools(options.databaseUrl, async (tools, connection) => {
        const service = retentionOf(tools, connection, await localCheckpointer(connection.dataSource, tools.settings));
        await service.ensurePartitions();
        const run = await service.apply(cliActor());
        for (const drop of run.dropped) process.stdout.write(`dropped ${drop.partition}: ${drop.events} events; the log is retained from ${drop.retainedFrom}${drop.eventSeq === null ? '' : ` (recorded as event ${drop.eventSeq})`}\n`);
        if (run.dropped.length === 0) process.stdout.write('nothing is due\n');
        if (run.stoppedAt) process.stdout.write(`kept ${run.stoppedAt.partition}: ${run.stoppedAt.reason}\n`);
        return 0;
      }),
    );

  const hold = audit.command('hold').description('legal holds: keep the months they cover past their retention');
  hold
    .command('set')
    .description('place a legal hold (an audit event); retention keeps every month it covers until it is released')
    .requiredOption('--reason <text>', 'matter or case reference (1..500 characters)')
    .option('--from <iso>', 'first instant covered (default: the beginning of the log)')
    .option('--to <iso>', 'end of the covered range, exclusive (default: open)')
    .addOption(databaseUrl)
    .action((options: { reason: string; from?: string; to?: string; databaseUrl?: string }) =>
      withTools(options.databaseUrl, async ({ holds }) => {
        process.stdout.write(`${describeHold(await holds.set({ reason: options.reason, coversFrom: options.from, coversTo: options.to }, cliActor()))}\n`);
        return 0;
      }),
    );
  hold
    .command('release')
    .description('release a legal hold (an audit event); a release is final')
    .argument('<hold-id>', 'the hold id from `audit hold list`')
    .requiredOption('--reason <text>', 'why the hold ends (1..500 characters)')
    .addOption(databaseUrl)
    .action((id: string, options: { reason: string; databaseUrl?: string }) =>
      withTools(options.databaseUrl, async ({ holds }) => {
        process.stdout.write(`${describeHold(await holds.release(id, { reason: options.reason }, cliActor()))}\n`);
        return 0;
      }),
    );
  hold
    .command('list')
    .description('every legal hold, in force or released')
    .addOption(databaseUrl)
    .option('--json', 'print JSON')
    .action((options: { databaseUrl?: string; json?: boolean }) =>
      withTools(options.databaseUrl, async ({ holds }) => {
        const all = await holds.list();
        process.stdout.write(options.json ? `${JSON.stringify(all, null, 2)}\n` : all.map((h) => `${describeHold(h)}\n`).join('') || 'no legal holds\n');
        return 0;
      }),
    );
}
