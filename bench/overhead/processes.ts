/** Child processes of the benchmark: start, wait until they answer, measure their CPU, stop them by pid. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(options.logFile);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    logFile: options.logFile,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits or `timeoutMs` passes first. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`${child.name}: no line matching ${pattern} within ${timeoutMs} ms (log: ${child.logFile})`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = pattern.exec(buffered);
      if (match) finish(undefined, match);
    };
    const onExit = (code: number | null) => finish(new Error(`${child.name} exited (${code}) before it was ready (log: ${child.logFile})`));
    function finish(error?: Error, match?: RegExpExecArray) {
      clearTimeout(timer);
      child.process.stdout?.off('data', onData);
      child.process.off('exit', onExit);
      if (error) reject(error);
      else if (match) resolve(match);
    }
    child.process.stdout?.on('data', onData);
    child.process.once('exit', onExit);
  });
}

/** Polls `url` until it answers with a status `accept` likes; fails fast when the child has died. */
export async function waitForHttp(child: Child, url: string, timeoutMs: number, accept: (status: number) => boolean = (status) => status < 500): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited (${child.process.exitCode}) before it answered (log: ${child.logFile})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (accept(response.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${child.name}: ${url} did not answer within ${timeoutMs} ms (log: ${child.logFile})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime in ms: its own CPU and that of its children it has reaped. */
  cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
    return { pid, ppid: Number(fields[1]), cpuMs: (ticks * 1000) / CLOCK_TICKS };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU time so far of a process (`own`) and of all its descendants (`descendants`, e.g. PostgreSQL under Attest). */
export function treeCpuMs(rootPid: number): { own: number; descendants: number } {
  const stats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readStat(Number(entry)))
    .filter((stat): stat is ProcStat => stat !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let descendants = 0;
  const pending = [...(children.get(rootPid) ?? [])];
  for (let next = pending.pop(); next; next = pending.pop()) {
    descendants += next.cpuMs;
    pending.push(...(children.get(next.pid) ?? []));
  }
  return { own: stats.find((stat) => stat.pid === rootPid)?.cpuMs ?? 0, descendants };
}
