import type { AuditActor, AuditRecorder } from '@attest/contracts';
import { databaseConfig, openDatabase, type DatabaseConnection } from '@attest/db';
import { IdentityError, IdentityErrorCode, identityConfig, parseDuration, type ApiKeySummary } from '@attest/identity';
import { CLI_ACTOR, createApiKeyService, type ApiKeyService } from '@attest/identity/nest';
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { chainAuditRecorder } from './chain-audit-recorder';

/** Where the CLI's key changes are recorded; the gateway's audit writer once @attest/audit provides one for the CLI. */
export type CliAuditRecorderFactory = (connection: DatabaseConnection) => AuditRecorder | Promise<AuditRecorder>;

interface ConnectionOptions {
  databaseUrl?: string;
  tenant: string;
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

function lifetime(text: string | undefined): number | 'never' | undefined {
  if (text === undefined || text === 'never') return text;
  const ms = parseDuration(text);
  if (ms === null) throw new IdentityError(IdentityErrorCode.InvalidKeyRequest, `"${text}" is not a duration such as 90d, 12h or 2w.`);
  return ms;
}

function actorFor(tenant: string): AuditActor {
  return { ...CLI_ACTOR, principalId: `cli:${userInfo().username}`, tenant };
}

function describeKey(key: ApiKeySummary): string {
  const scopes = key.modelScopes ? `models ${key.modelScopes.join(',')}` : 'all models';
  const actions = key.actionScopes ? `actions ${key.actionScopes.join(',')}` : 'all actions';
  const expires = key.expiresAt ? `expires ${key.expiresAt.toISOString()}` : 'never expires';
  return `${key.id}  ${key.name}  ${key.maskedKey}  ${key.roles.join(',')}  ${scopes}  ${actions}  ${key.status}  ${expires}  last used ${key.lastUsedAt?.toISOString() ?? 'never'}`;
}

async function withKeys<T>(command: Command, options: ConnectionOptions, audit: CliAuditRecorderFactory, work: (keys: ApiKeyService, actor: AuditActor) => Promise<T>): Promise<T> {
  const env = options.databaseUrl ? { ...process.env, DATABASE_URL: options.databaseUrl } : process.env;
  const config = identityConfig.load(env);
  const connection = await openDatabase(databaseConfig.load(env), { applicationName: 'attest-cli', embeddedSharing: 'join' });
  try {
    const keys = createApiKeyService({ dataSource: connection.dataSource, audit: await audit(connection), config });
    return await work(keys, actorFor(options.tenant));
  } catch (error) {
    if (error instanceof IdentityError) command.error(`attest: [${error.code}] ${error.message}`, { exitCode: 1, code: error.code });
    throw error;
  } finally {
    await connection.close();
  }
}

/** `attest keys create|list|rotate|revoke`: a key is printed once, on stdout alone, so `$(attest keys create …)` captures it. */
export function registerKeysCommand(program: Command, audit: CliAuditRecorderFactory = chainAuditRecorder): void {
  const keys = program.command('keys').description('create, list, rotate and revoke API keys');
  const common = (command: Command) =>
    command
      .option('--tenant <tenant>', 'tenant the key belongs to', 'default')
      .option('--database-url <url>', 'PostgreSQL to use (default: DATABASE_URL, else the embedded one)');

  common(
    keys
      .command('create')
      .description('create a key and print it once')
      .requiredOption('--name <name>', 'what the key is for (names its service principal)')
      .requiredOption('--role <roles>', 'role(s): admin, auditor, model-approver, policy-author, developer (comma-separated or repeated)', list)
      .option('--models <models>', 'models or aliases it may use, comma-separated (`name*` for a prefix); default all', list)
      .option('--actions <actions>', 'actions it may perform, e.g. chat,embeddings; default all', list)
      .option('--expires <duration>', 'lifetime such as 90d, 12h, 2w, or never (if allowed); default 90d')
      .option('--person', "a named person's own key (admin acts need a person under the shipped policies); default: a service key"),
  ).action(async (options: ConnectionOptions & { name: string; role: string[]; models?: string[]; actions?: string[]; expires?: string; person?: boolean }, command: Command) => {
    const issued = await withKeys(command, options, audit, (service, actor) =>
      service.create(
        {
          name: options.name,
          roles: options.role,
          ...(options.person ? { holder: 'person' as const } : {}),
          ...(options.models ? { models: options.models } : {}),
          ...(options.actions ? { actions: options.actions } : {}),
          ...(options.expires !== undefined ? { expiresInMs: lifetime(options.expires) } : {}),
        },
        actor,
      ),
    );
    process.stderr.write(`created ${describeKey(issued.record)}\nthe key is shown once; store it now:\n`);
    process.stdout.write(`${issued.key}\n`);
  });

  common(keys.command('list').description('list keys (never the keys themselves)').option('--json', 'print JSON')).action(
    async (options: ConnectionOptions & { json?: boolean }, command: Command) => {
      const listed = await withKeys(command, options, audit, (service) => service.list(options.tenant));
      if (options.json) process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
      else process.stdout.write(listed.length === 0 ? 'no keys\n' : `${listed.map(describeKey).join('\n')}\n`);
    },
  );

  common(
    keys
      .command('rotate <id>')
      .description('issue a successor key with the same roles and scopes; the old one works for the overlap, then expires')
      .option('--overlap <duration>', 'how long the old key keeps working (default ATTEST_API_KEY_ROTATION_OVERLAP, 24h)')
      .option('--expires <duration>', 'lifetime of the new key (default: the old key’s lifetime)'),
  ).action(async (id: string, options: ConnectionOptions & { overlap?: string; expires?: string }, command: Command) => {
    const rotated = await withKeys(command, options, audit, (service, actor) => {
      const overlapMs = lifetime(options.overlap);
      if (overlapMs === 'never') throw new IdentityError(IdentityErrorCode.InvalidKeyRequest, 'The overlap must be a duration.');
      return service.rotate(
        id,
        { ...(overlapMs !== undefined ? { overlapMs } : {}), ...(options.expires !== undefined ? { expiresInMs: lifetime(options.expires) } : {}) },
        actor,
      );
    });
    process.stderr.write(`rotated; the old key ${rotated.previous.maskedKey} works until ${rotated.previous.expiresAt?.toISOString() ?? 'its expiry'}\n`);
    process.stderr.write(`new ${describeKey(rotated.record)}\nthe key is shown once; store it now:\n`);
    process.stdout.write(`${rotated.key}\n`);
  });

  common(keys.command('revoke <id>').description('revoke a key at once').option('--reason <text>', 'why (kept in the audit log)')).action(
    async (id: string, options: ConnectionOptions & { reason?: string }, command: Command) => {
      const revoked = await withKeys(command, options, audit, (service, actor) => service.revoke(id, actor, options.reason ?? null));
      process.stdout.write(`revoked ${describeKey(revoked)}\n`);
    },
  );
}
