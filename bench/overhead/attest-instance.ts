/**
 * Attest as `npm start` runs it (its own process, embedded PostgreSQL in a temporary folder), with the mock upstream
 * registered as a remote model version the way an operator does it with the CLI: registered by one person, approved
 * by a second (four-eyes), promoted; then a developer key issued as `attest keys create --role developer` does.
 */
import { AuditWriter, loadAuditSettings } from '@attest/audit/nest';
import { databaseConfig, openDatabase, type DatabaseConnection } from '@attest/db';
import { identityConfig } from '@attest/identity';
import { CLI_ACTOR, createApiKeyService } from '@attest/identity/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliActor } from '../../apps/cli/src/commands/models-cli-support';
import { type Child, freePort, startChild, waitForHttp } from './processes';

export const ATTEST_MODEL = 'overhead-pool';
const UPSTREAM_MODEL = 'mock-model';
// The embedded cluster's superuser (libs/db/src/lib/embedded-postgres.server.ts): loopback only, local data folder.
const EMBEDDED_PG_CREDENTIALS = 'postgres:attest-embedded';
/** The shipped per-key rate limit (600 requests a minute) would answer most of the load with 429. */
const BENCH_REQUESTS_PER_MINUTE = 100_000_000;

export interface AttestOptions {
  name: string;
  repoRoot: string;
  workDir: string;
  upstreamBaseUrl: string;
  /** Extra environment, e.g. ATTEST_PII_ENABLED=false. */
  env: Record<string, string>;
}

export interface AttestInstance {
  child: Child;
  baseUrl: string;
  apiKey: string;
  connection: DatabaseConnection;
  stop(): Promise<void>;
}

/**
 * The shipped policies, with only the per-key request rate raised so a benchmark is not rate limited; the quota is
 * still counted in PostgreSQL on every request, so its cost stays in the measurement.
 */
function benchPolicyDir(repoRoot: string, workDir: string): string {
  const dir = join(workDir, 'policies');
  cpSync(join(repoRoot, 'policies'), dir, { recursive: true });
  const quotas = join(dir, 'quotas.cedar');
  const text = readFileSync(quotas, 'utf8');
  const raised = text.replace('requests_per_minute:key=600;', `requests_per_minute:key=${BENCH_REQUESTS_PER_MINUTE};`);
  if (raised === text) throw new Error(`${quotas}: the default per-key rate quota was not found; update the benchmark`);
  writeFileSync(quotas, raised);
  return dir;
}

function randomAlnum(length: number): string {
  return randomBytes(length).toString('hex').slice(0, length);
}

export async function startAttest(options: AttestOptions): Promise<AttestInstance> {
  const dataDir = join(options.workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const [port, pgPort] = [await freePort(), await freePort()];
  // Set, so the gateway does not print a generated admin key into its log; the benchmark never uses it.
  const bootstrapKey = `atk_${randomAlnum(12)}_${randomAlnum(40)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ATTEST_DATA_DIR: dataDir,
    ATTEST_EMBEDDED_PG_PORT: String(pgPort),
    ATTEST_BOOTSTRAP_API_KEY: bootstrapKey,
    ATTEST_LOG_LEVEL: 'warn',
    ATTEST_REGISTER_BUILTIN_MODEL: 'false',
    ATTEST_POLICY_DIR: benchPolicyDir(options.repoRoot, options.workDir),
    // Every request here sends the same prompt and gets the same answer; real users do not, so the named-entity
    // cache (which spares resent system prompts and earlier turns) would flatter the figures: it stays off.
    ATTEST_PII_NER_CACHE_ENTRIES: '0',
    ...options.env,
  };
  delete env.DATABASE_URL;
  // e.g. OVERHEAD_ATTEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where Attest's time goes.
  const nodeArgs = process.env.OVERHEAD_ATTEST_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = startChild(options.name, process.execPath, [...nodeArgs, 'scripts/run-ts.cjs', 'apps/gateway/src/main.ts'], {
    cwd: options.repoRoot,
    env,
    logFile: join(options.workDir, 'gateway.log'),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let connection: DatabaseConnection | undefined;
  try {
    await waitForHttp(child, `${baseUrl}/healthz`, 180_000, (status) => status === 200);
    const databaseUrl = `postgres://${EMBEDDED_PG_CREDENTIALS}@127.0.0.1:${pgPort}/attest`;
    connection = await openDatabase(databaseConfig.load({ DATABASE_URL: databaseUrl }), { applicationName: 'attest-overhead-bench' });
    const apiKey = await registerModelAndKey(connection, options.upstreamBaseUrl, { ...env, DATABASE_URL: databaseUrl });
    await waitForModel(baseUrl, apiKey);
    const open = connection;
    return {
      child,
      baseUrl,
      apiKey,
      connection: open,
      async stop() {
        await open.close();
        await child.stop();
      },
    };
  } catch (error) {
    await connection?.close();
    await child.stop();
    throw error;
  }
}

/**
 * What `attest models register --remote … --as bench-registrant`, `models approve --as bench-approver`, `models promote`
 * and `attest keys create --name overhead-bench --role developer` do, on the instance's database.
 */
async function registerModelAndKey(connection: DatabaseConnection, upstreamBaseUrl: string, env: NodeJS.ProcessEnv): Promise<string> {
  const audit = new AuditWriter(connection.dataSource, loadAuditSettings(env));
  try {
    const registry = new ModelRegistryService(connection.dataSource, audit, { registerBuiltinModel: false });
    const version = await registry.register(
      { name: ATTEST_MODEL, source: { kind: 'remote_openai', endpoints: [upstreamBaseUrl], servedModel: UPSTREAM_MODEL } },
      cliActor('bench-registrant', 'default'),
    );
    const ref = { model: version.model, version: version.version };
    await registry.approve(ref, cliActor('bench-approver', 'default'), 'overhead benchmark');
    await registry.promote(ref, cliActor('bench-approver', 'default'));
    const keys = createApiKeyService({ dataSource: connection.dataSource, audit, config: identityConfig.load(env) });
    const issued = await keys.create({ name: 'overhead-bench', roles: ['developer'] }, { ...CLI_ACTOR, principalId: 'cli:overhead-bench' });
    return issued.key;
  } finally {
    await audit.close();
  }
}

async function waitForModel(baseUrl: string, apiKey: string): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = (await response.json()) as { data?: { id: string }[] };
  if (!body.data?.some((model) => model.id === ATTEST_MODEL)) throw new Error(`${ATTEST_MODEL} is not served: ${JSON.stringify(body)}`);
}
