import { readFileSync, writeFileSync } from 'node:fs';
import { verifyInclusionEvidence, type InclusionEvidence } from '@attest/audit';
import { AuditError, AuditErrorCode, AuditEvidenceService } from '@attest/audit/nest';
import { CLI_ACTOR } from '@attest/identity/nest';
import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { envWith, guarded, loadAuditSettings, localCheckpointer, requireLocalSigner, trustedKeys, withDatabase } from './audit-cli-support';
import { registerAuditRetentionCommands } from './audit-retention.command';
import { runAuditVerify, type VerifyOptions } from './audit-verify';
import { chainAuditRecorder } from './chain-audit-recorder';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseInstant(value: string, flag: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new AuditError(AuditErrorCode.EventInvalid, `${flag} ${value} is not an ISO timestamp`);
  return date;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('verify, export and prove the tamper-evident audit log (docs/audit-format.md)');
  const databaseUrl = new Option('--database-url <url>', 'PostgreSQL holding the log (default: DATABASE_URL, else the embedded one)');

  audit
    .command('verify')
    .description('check the log (or an exported bundle) end to end; exit 0 when intact, 1 naming the first bad event')
    .addOption(databaseUrl)
    .option('--bundle <file>', 'verify an exported evidence bundle instead of a database (no database needed)')
    .option('--keys <file>', 'trusted key manifest {"keys":[{"key","notBefore","notAfter"}]}')
    .option('--key <verifierKey>', 'trusted verifier key <name>+<id>+<base64> (repeatable)', collect)
    .option('--witness <cosignerKey>', 'trusted witness key <name>+<id>+<base64(0x04 ‖ key)> (repeatable)', collect)
    .option('--quorum <count>', 'witness cosignatures the newest checkpoint must carry (default 1 with --witness)')
    .option('--last-seen <file>', 'checkpoints seen before (sink JSONL or one note); default for a database: the checkpoint sink')
    .option('--min-retention-months <months>', 'fail when retention dropped events younger than this (your own requirement, e.g. 72)')
    .option('--json', 'print the machine-readable report')
    .action((options: VerifyOptions) => guarded(() => runAuditVerify(options)));

  audit
    .command('export')
    .description('seal the log with a fresh checkpoint and write an evidence bundle (tar) of the events in [from, to)')
    .requiredOption('--from <iso>', 'first instant (inclusive)')
    .requiredOption('--to <iso>', 'last instant (exclusive)')
    .requiredOption('--out <file>', 'bundle file to write')
    .addOption(databaseUrl)
    .action((options: { from: string; to: string; out: string; databaseUrl?: string }) =>
      guarded(() =>
        withDatabase(options.databaseUrl, async (connection) => {
          const { dataSource } = connection;
          const range = { from: parseInstant(options.from, '--from'), to: parseInstant(options.to, '--to') };
          const settings = loadAuditSettings(envWith(options.databaseUrl));
          const service = new AuditEvidenceService(dataSource);
          const signer = requireLocalSigner(settings, (await service.head()).origin);
          const checkpointer = await localCheckpointer(dataSource, settings);
          await checkpointer.checkpoint();
          const result = await service.export(range, signer);
          // The export is itself evidence (who took what out, when): committed before the bundle is written.
          await chainAuditRecorder(connection).record({
            action: 'audit.exported',
            outcome: 'success',
            actor: { ...CLI_ACTOR, principalId: `cli:${userInfo().username}` },
            tenant: CLI_ACTOR.tenant,
            resource: { type: 'audit_log' },
            details: { from: range.from.toISOString(), to: range.to.toISOString(), events: result.events, treeSize: result.treeSize, bytes: result.bundle.length, via: 'cli' },
          });
          writeFileSync(options.out, result.bundle, { mode: 0o600 });
          process.stdout.write(`wrote ${options.out}: ${result.events} events of a ${result.treeSize}-event log, ${result.bundle.length} bytes\n`);
          process.stdout.write(`verify with: attest audit verify --bundle ${options.out} --key ${signer.verifierKey}\n`);
          return 0;
        }),
      ),
    );

  audit
    .command('prove')
    .description('print an inclusion proof of one event against a signed checkpoint (checkable alone with `audit check-proof`)')
    .argument('<event-id>', 'the event UUID')
    .addOption(databaseUrl)
    .option('--out <file>', 'write the proof to a file instead of stdout')
    .action((eventId: string, options: { databaseUrl?: string; out?: string }) =>
      guarded(() =>
        withDatabase(options.databaseUrl, async ({ dataSource }) => {
          const evidence = await new AuditEvidenceService(dataSource).prove(eventId);
          const text = `${JSON.stringify(evidence, null, 2)}\n`;
          if (options.out) writeFileSync(options.out, text);
          else process.stdout.write(text);
          return 0;
        }),
      ),
    );

  audit
    .command('check-proof')
    .description('check an inclusion proof file offline against trusted keys')
    .argument('<file>', 'output of `attest audit prove`')
    .option('--keys <file>', 'trusted key manifest')
    .option('--key <verifierKey>', 'trusted verifier key (repeatable)', collect)
    .action((file: string, options: { keys?: string; key?: string[] }) =>
      guarded(async () => {
        const evidence = JSON.parse(readFileSync(file, 'utf8')) as InclusionEvidence;
        const origin = evidence.checkpoint.split('\n', 1)[0] ?? '';
        const result = verifyInclusionEvidence(evidence, trustedKeys(options, loadAuditSettings(), origin));
        process.stdout.write(result.ok ? `included: event ${result.seq} is in the signed tree of ${result.treeSize}\n` : `NOT PROVEN: ${result.reason}\n`);
        return result.ok ? 0 : 1;
      }),
    );

  audit
    .command('public-key')
    .description("print the log's verifier key, for auditors' trusted key manifests")
    .addOption(databaseUrl)
    .action((options: { databaseUrl?: string }) =>
      guarded(() =>
        withDatabase(options.databaseUrl, async ({ dataSource }) => {
          const origin = (await new AuditEvidenceService(dataSource).head()).origin;
          process.stdout.write(`${requireLocalSigner(loadAuditSettings(envWith(options.databaseUrl)), origin).verifierKey}\n`);
          return 0;
        }),
      ),
    );

  registerAuditRetentionCommands(audit, databaseUrl);
}
