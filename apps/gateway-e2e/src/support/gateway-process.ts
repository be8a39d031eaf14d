import { findFreePort } from '@attest/db';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A well-formed bootstrap admin key (`atk_<12>_<43>`), so a test knows the key before the gateway starts. */
export function newBootstrapKey(): string {
  const digits = (length: number) => [...randomBytes(length)].map((byte) => BASE62[byte % 62]).join('');
  return `atk_${digits(12)}_${digits(43)}`;
}

export interface GatewayProcessOptions {
  /** ATTEST_DATA_DIR: signing key, checkpoint sink and, without DATABASE_URL, the embedded PostgreSQL. */
  dataDir: string;
  bootstrapKey: string;
  /** An external database; unset starts the embedded one inside `dataDir` (a child of the gateway). */
  databaseUrl?: string;
  /** Reuse a port (a restart on the same address); default a free one. */
  port?: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface GatewayProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves when the process has exited (with its code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Passes `work` through; a failure carries the end of the gateway's output (a crash, an error it logged). */
  annotate<T>(work: Promise<T>): Promise<T>;
}

/**
 * The gateway exactly as `npm start` runs it (`node scripts/run-ts.cjs apps/gateway/src/main.ts`), in a child process
 * with a clean environment, so a test can kill it like an operator or the kernel would. Resolves once /healthz answers.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const port = options.port ?? (await findFreePort());
  const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts/run-ts.cjs'), 'apps/gateway/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      TZ: 'UTC',
      PORT: String(port),
      HOST: '127.0.0.1',
      ATTEST_DATA_DIR: options.dataDir,
      ATTEST_BOOTSTRAP_API_KEY: options.bootstrapKey,
      ATTEST_LLAMA_THREADS: '1',
      ATTEST_LOG_LEVEL: 'warn',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const remember = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = `http://127.0.0.1:${port}`;
  const handle: GatewayProcess = {
    url,
    port,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    annotate: (work) =>
      work.catch((error: unknown) => {
        const state = child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : 'running';
        throw new Error(`${error instanceof Error ? error.message : String(error)}\ngateway ${state}; its last output:\n${output.slice(-3000)}`);
      }),
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the gateway exited during start-up:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      await handle.kill('SIGKILL');
      throw new Error(`the gateway did not answer /healthz in time:\n${output.slice(-4000)}`);
    }
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) return handle;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
