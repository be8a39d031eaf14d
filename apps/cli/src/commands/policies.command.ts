import type { AuditActor, AuditRecorder } from '@attest/contracts';
import { databaseConfig, openDatabase, type DatabaseConnection } from '@attest/db';
import { loadPolicyTests, PolicyBundle, PolicyEngine, PolicyError, policyConfig, runPolicyTests, SIGNATURE_FILE } from '@attest/policy';
import { PolicyActivationService, PolicySignaturePolicy, type ActivationResult } from '@attest/policy/nest';
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { chainAuditRecorder } from './chain-audit-recorder';

/** Where `attest policies activate` records the activation (the audit chain writer once the CLI has one). */
export type PolicyAuditRecorderFactory = (connection: DatabaseConnection) => AuditRecorder | Promise<AuditRecorder>;

function policyDir(dir: string | undefined): string {
  return dir ? resolve(dir) : policyConfig.load().dir;
}

/** Loads and strictly validates a bundle; on problems prints each `file:line:col: message` and exits 1. */
async function loadValidBundle(command: Command, dir: string): Promise<PolicyBundle> {
  const bundle = await guard(command, () => PolicyBundle.fromDirectory(dir));
  const problems = bundle.validate();
  if (problems.length > 0) {
    // Paths relative to the current folder, so editors and CI annotate the right file and line.
    for (const problem of problems) process.stderr.write(`${problem.startsWith('bundle:') ? problem : join(dir, problem)}\n`);
    command.error(`attest: policy bundle in ${dir} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`, {
      exitCode: 1,
      code: 'POLICY_BUNDLE_INVALID',
    });
  }
  return bundle;
}

async function guard<T>(command: Command, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PolicyError) {
      for (const problem of error.problems.slice(1)) process.stderr.write(`${problem}\n`);
      command.error(`attest: [${error.code}] ${error.message}`, { exitCode: 1, code: error.code });
    }
    throw error;
  }
}

/** `attest policies validate|test|sign|activate`: CI runs the first two on every change to policies/. */
export function registerPoliciesCommand(program: Command, audit: PolicyAuditRecorderFactory = chainAuditRecorder): void {
  const policies = program.command('policies').description('validate, test, sign and activate Cedar policy bundles');

  policies
    .command('validate [dir]')
    .description('parse every policy and validate it strictly against the schema (default: ATTEST_POLICY_DIR, else policies)')
    .action(async (dir: string | undefined, _options: unknown, command: Command) => {
      const bundle = await loadValidBundle(command, policyDir(dir));
      const count = bundle.compile().policies.size;
      process.stdout.write(`valid: ${count} policies in ${Object.keys(bundle.files).length} files, bundle sha256 ${bundle.sha256}\n`);
    });

  policies
    .command('test [dir]')
    .description('run the policy tests in <dir>/tests (request → expected decision, policies and obligations)')
    .action(async (dir: string | undefined, _options: unknown, command: Command) => {
      const root = policyDir(dir);
      const bundle = await loadValidBundle(command, root);
      const results = runPolicyTests(new PolicyEngine(bundle), await guard(command, () => loadPolicyTests(join(root, 'tests'))));
      let failed = 0;
      for (const { test, failures } of results) {
        process.stdout.write(`${failures.length === 0 ? 'ok  ' : 'FAIL'}  ${test.file} › ${test.name}\n`);
        for (const failure of failures) process.stdout.write(`        ${failure}\n`);
        if (failures.length > 0) failed++;
      }
      process.stdout.write(`${results.length - failed} passed, ${failed} failed (bundle ${bundle.sha256})\n`);
      if (failed > 0) command.error(`attest: ${failed} policy test${failed === 1 ? '' : 's'} failed`, { exitCode: 1, code: 'POLICY_TESTS_FAILED' });
    });

  policies
    .command('sign [dir]')
    .description(`sign the bundle's manifest with an Ed25519 private key; writes <dir>/${SIGNATURE_FILE}`)
    .requiredOption('--key <file>', 'PEM Ed25519 private key')
    .action(async (dir: string | undefined, options: { key: string }, command: Command) => {
      const root = policyDir(dir);
      const bundle = await loadValidBundle(command, root);
      await writeFile(join(root, SIGNATURE_FILE), `${bundle.signWith(await readFile(options.key, 'utf8'))}\n`);
      process.stdout.write(`signed bundle ${bundle.sha256}: ${join(root, SIGNATURE_FILE)}\n`);
    });

  policies
    .command('activate [dir]')
    .description("store the bundle in the database and make it the tenant's active one (replicas reload it)")
    .option('--tenant <tenant>', 'tenant whose bundle this becomes', 'default')
    .option('--database-url <url>', 'PostgreSQL to use (default: DATABASE_URL, else the embedded one)')
    .action(async (dir: string | undefined, options: { tenant: string; databaseUrl?: string }, command: Command) => {
      const env = options.databaseUrl ? { ...process.env, DATABASE_URL: options.databaseUrl } : process.env;
      const signatures = PolicySignaturePolicy.fromConfig(policyConfig.load(env));
      const bundle = await loadValidBundle(command, policyDir(dir));
      const connection = await openDatabase(databaseConfig.load(env), { applicationName: 'attest-cli', embeddedSharing: 'join' });
      let outcome: { result: ActivationResult } | { error: unknown };
      try {
        const service = new PolicyActivationService(connection.dataSource, await audit(connection), signatures);
        const actor: AuditActor = { principalId: `cli:${userInfo().username}`, kind: 'system', tenant: options.tenant, authMethod: 'cli' };
        outcome = { result: await service.activate(bundle, { tenant: options.tenant, actor }) };
      } catch (error) {
        outcome = { error };
      } finally {
        // Before any exit: the embedded PostgreSQL must stop with the command.
        await connection.close();
      }
      if ('error' in outcome) return guard(command, () => Promise.reject(outcome.error));
      const { result } = outcome;
      const previous = result.previousSha256 ? ` (replaces ${result.previousSha256})` : '';
      process.stdout.write(`activated bundle ${result.sha256} for tenant ${options.tenant}${previous}\n`);
    });
}
