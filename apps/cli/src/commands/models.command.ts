import type { AuditRecorder } from '@attest/contracts';
import { databaseConfig, openDatabase, type DatabaseConnection } from '@attest/db';
import { parseAliasTargets, parseVersionRef, readGgufMetadata, RegistryError, type RegistryActor } from '@attest/registry';
import { ModelRegistryService, type RegisterVersionInput } from '@attest/registry/nest';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { chainAuditRecorder } from './chain-audit-recorder';
import { cliActor, hashProgressPrinter } from './models-cli-support';
import { DEFAULT_HF_ENDPOINT, PullError, pullModel } from './models-pull';
import { formatAlias, formatMetadata, formatRevision, formatVersion } from './models-format';

/** Where the CLI's registry changes are recorded; the audit chain writer once @attest/audit provides one for the CLI. */
export type ModelsAuditRecorderFactory = (connection: DatabaseConnection) => AuditRecorder | Promise<AuditRecorder>;

interface CommonOptions {
  databaseUrl?: string;
  tenant: string;
  as?: string;
}

interface DescribingOptions extends CommonOptions {
  name: string;
  version?: number;
  card?: string;
  licence?: string;
  sha256?: string;
  audience: string;
  domain: string;
  dataClassification: string;
  maxTokens?: number;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(name: string): (text: string) => number {
  return (text) => {
    if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new Error(`${name} must be a whole number from 1, not "${text}"`);
    return Number(text);
  };
}

/** `--lora NAME=PATH[:SCALE]` */
function loraAdapter(text: string): { name: string; path: string; scale?: number } {
  const [, name, path, scale] = /^([^=]+)=(.+?)(?::([0-9.]+))?$/.exec(text) ?? [];
  if (name === undefined || path === undefined) throw new Error(`--lora expects NAME=PATH[:SCALE], not "${text}"`);
  return { name, path, ...(scale === undefined ? {} : { scale: Number(scale) }) };
}

/** A refusal is one line with its stable code and exit 1; usage help is for usage mistakes, not for refusals. */
function failOnRegistryError(command: Command, error: unknown): never {
  if (error instanceof RegistryError) command.showHelpAfterError(false).error(`attest: [${error.code}] ${error.message}`, { exitCode: 1, code: error.code });
  throw error;
}

export function registerModelsCommand(program: Command, audit: ModelsAuditRecorderFactory = chainAuditRecorder): void {
  const models = program.command('models').description('register, approve, promote, retire and alias model versions');
  const common = (command: Command) =>
    command
      .option('--tenant <tenant>', 'tenant the models belong to', 'default')
      .option('--as <principal>', 'who performs the act, as recorded in the registry and the audit log (default: cli)')
      .option('--database-url <url>', 'PostgreSQL to use (default: DATABASE_URL, else the embedded one)');

  async function withRegistry(command: Command, options: CommonOptions, work: (registry: ModelRegistryService, actor: RegistryActor) => Promise<void>): Promise<void> {
    const env = options.databaseUrl ? { ...process.env, DATABASE_URL: options.databaseUrl } : process.env;
    const connection = await openDatabase(databaseConfig.load(env), { applicationName: 'attest-cli', embeddedSharing: 'join' });
    try {
      const registry = new ModelRegistryService(connection.dataSource, await audit(connection), { registerBuiltinModel: false });
      await work(registry, cliActor(options.as, options.tenant));
    } catch (error) {
      failOnRegistryError(command, error);
    } finally {
      await connection.close();
    }
  }

  const describing = (command: Command) =>
    command
      .requiredOption('--name <name>', 'model name, e.g. llama-3.2-1b')
      .option('--version <n>', 'version number (default: the next one)', positiveInteger('--version'))
      .option('--card <file>', 'model card (markdown)')
      .option('--licence <licence>', 'licence (default: general.license from the GGUF header)')
      .option('--sha256 <hex>', 'refuse unless the file hashes to this digest')
      .option('--audience <audience>', 'who may use it, e.g. internal', 'internal')
      .option('--domain <domain>', 'what it is for, e.g. general, legal', 'general')
      .option('--data-classification <class>', 'most sensitive data class it may receive', 'internal')
      .option('--max-tokens <n>', 'cap on max_tokens per request', positiveInteger('--max-tokens'));

  async function registerVersion(command: Command, options: DescribingOptions, source: RegisterVersionInput['source'], lora?: ReturnType<typeof loraAdapter>[]): Promise<void> {
    const card = options.card === undefined ? undefined : await readFile(options.card, 'utf8');
    await withRegistry(command, options, async (registry, actor) => {
      const version = await registry.register(
        {
          name: options.name,
          source,
          audience: options.audience,
          domain: options.domain,
          dataClassification: options.dataClassification,
          onHashProgress: hashProgressPrinter(),
          ...(options.version === undefined ? {} : { version: options.version }),
          ...(card === undefined ? {} : { card }),
          ...(options.licence === undefined ? {} : { licence: options.licence }),
          ...(options.sha256 === undefined ? {} : { expectedSha256: options.sha256 }),
          ...(options.maxTokens === undefined ? {} : { samplingLimits: { maxTokens: options.maxTokens } }),
          ...(lora === undefined ? {} : { loraAdapters: lora }),
        },
        actor,
      );
      out(`registered ${formatVersion(version)}`);
      out(`next: another approver runs \`attest models approve ${version.model}@${version.version} --as <name>\``);
    });
  }

  common(
    describing(
      models
        .command('register')
        .description('register a GGUF file (hashed and inspected) or a remote endpoint as a draft version')
        .argument('[file]', 'GGUF weights file'),
    )
      .option('--remote <url>', 'OpenAI-compatible endpoint instead of a file (repeatable)', collect)
      .option('--served-model <name>', 'model name the remote endpoints expect')
      .option('--lora <name=path[:scale]>', 'LoRA adapter GGUF (repeatable)', (text: string, previous: ReturnType<typeof loraAdapter>[] = []) => [...previous, loraAdapter(text)]),
  ).action(async (file: string | undefined, options: DescribingOptions & { remote?: string[]; servedModel?: string; lora?: ReturnType<typeof loraAdapter>[] }, command: Command) => {
    if (file && options.remote) command.error('attest: name either a GGUF FILE or --remote, not both', { exitCode: 2 });
    let source: RegisterVersionInput['source'];
    if (options.remote) source = { kind: 'remote_openai', endpoints: options.remote, servedModel: options.servedModel ?? '' };
    else if (file) source = { kind: 'local_gguf', path: file };
    else return command.error('attest: name a GGUF FILE or --remote URL with --served-model', { exitCode: 2 });
    await registerVersion(command, options, source, options.lora);
  });

  common(
    describing(
      models
        .command('pull')
        .description('download hf:<user>/<repo>/<file>.gguf (resumable, with progress), then register it as a draft')
        .argument('<uri>', 'hf:<user>/<repo>/<file>.gguf or https://…/<file>.gguf'),
    )
      .option('--dir <folder>', 'where to keep the weights', 'models')
      .option('--endpoint <url>', 'Hugging Face endpoint or mirror', DEFAULT_HF_ENDPOINT),
  ).action(async (uri: string, options: DescribingOptions & { dir: string; endpoint: string }, command: Command) => {
    let path: string;
    try {
      path = await pullModel(uri, options.dir, options.endpoint);
    } catch (error) {
      if (error instanceof PullError) command.showHelpAfterError(false).error(`attest: ${error.message}`, { exitCode: 1 });
      throw error;
    }
    out(`downloaded ${path}`);
    await registerVersion(command, options, { kind: 'local_gguf', path });
  });

  common(models.command('list').description('list versions and aliases').option('--model <name>', 'only this model')).action(
    async (options: CommonOptions & { model?: string }, command: Command) => {
      await withRegistry(command, options, async (registry) => {
        const versions = await registry.listVersions(options.tenant, options.model);
        for (const version of versions) out(formatVersion(version));
        if (versions.length === 0) out('no model versions registered');
        if (options.model === undefined) for (const alias of await registry.listAliases(options.tenant)) out(`alias ${formatAlias(alias)}`);
      });
    },
  );

  common(models.command('approve').description('approve a draft (needs a person other than the registrant)').argument('<name@version>').option('--comment <text>', 'why', '')).action(
    async (ref: string, options: CommonOptions & { comment: string }, command: Command) => {
      await withRegistry(command, options, async (registry, actor) => out(`approved ${formatVersion(await registry.approve(parseVersionRef(ref), actor, options.comment))}`));
    },
  );

  common(models.command('promote').description('make an approved (or deprecated) version active').argument('<name@version>')).action(
    async (ref: string, options: CommonOptions, command: Command) => {
      await withRegistry(command, options, async (registry, actor) => out(`active ${formatVersion(await registry.promote(parseVersionRef(ref), actor))}`));
    },
  );

  common(models.command('deprecate').description('flag an active version as deprecated (it still serves when pinned)').argument('<name@version>')).action(
    async (ref: string, options: CommonOptions, command: Command) => {
      await withRegistry(command, options, async (registry, actor) => out(`deprecated ${formatVersion(await registry.deprecate(parseVersionRef(ref), actor))}`));
    },
  );

  common(models.command('retire').description('retire a version for good').argument('<name@version>').option('--reason <text>', 'why', '')).action(
    async (ref: string, options: CommonOptions & { reason: string }, command: Command) => {
      await withRegistry(command, options, async (registry, actor) => out(`retired ${formatVersion(await registry.retire(parseVersionRef(ref), actor, options.reason))}`));
    },
  );

  common(
    models
      .command('alias')
      .description('point an alias at weighted versions (NAME@VERSION[:WEIGHT] ...), roll it back, or show its history')
      .argument('<alias>')
      .argument('[targets...]')
      .option('--rollback', 'restore the previous revision')
      .option('--to-revision <n>', 'with --rollback: restore this revision', positiveInteger('--to-revision'))
      .option('--history', 'list the revisions')
      .option('--reason <text>', 'why'),
  ).action(async (name: string, targets: string[], options: CommonOptions & { rollback?: boolean; toRevision?: number; history?: boolean; reason?: string }, command: Command) => {
    const modes = [targets.length > 0, options.rollback === true, options.history === true].filter(Boolean).length;
    if (modes !== 1) command.error('attest: give TARGETS, or --rollback, or --history', { exitCode: 2 });
    await withRegistry(command, options, async (registry, actor) => {
      if (options.history) for (const entry of await registry.aliasHistory(options.tenant, name)) out(formatRevision(entry));
      else if (options.rollback) {
        out(`rolled back ${formatAlias(await registry.rollbackAlias({ name, ...(options.toRevision ? { toRevision: options.toRevision } : {}), ...(options.reason ? { reason: options.reason } : {}) }, actor))}`);
      } else out(`alias ${formatAlias(await registry.setAlias({ name, targets: parseAliasTargets(targets), ...(options.reason ? { reason: options.reason } : {}) }, actor))}`);
    });
  });

  common(models.command('verify').description('hash a model’s weights and compare them with the registry').argument('<model>', 'alias, name or name@version')).action(
    async (requested: string, options: CommonOptions, command: Command) => {
      await withRegistry(command, options, async (registry, actor) => {
        const resolved = await registry.resolve(options.tenant, requested);
        const progress = hashProgressPrinter();
        await registry.verifyIntegrity(resolved, actor, (hashed, total) => progress(resolved.source.kind === 'local_gguf' ? resolved.source.path : requested, hashed, total));
        out(`ok ${resolved.modelName}@${resolved.version} ${resolved.sha256 ?? '(remote: nothing to hash)'}`);
      });
    },
  );

  models
    .command('inspect')
    .description('print what a GGUF file’s header says (no database needed)')
    .argument('<file>')
    .action(async (file: string, _options: unknown, command: Command) => {
      try {
        process.stdout.write(formatMetadata(file, await readGgufMetadata(file)));
      } catch (error) {
        failOnRegistryError(command, error);
      }
    });
}
