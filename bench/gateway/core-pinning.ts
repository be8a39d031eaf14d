/**
 * Gives node-llama-cpp's decodes a core of their own (Linux, `taskset` from util-linux): the libuv threadpool, where
 * node-llama-cpp runs each decode as an async native call, to CPU 0; every other thread of this process (the main
 * thread, V8's compiler and GC helpers) and every PostgreSQL process to CPU 1. Both legs of a benchmark are then pinned
 * alike, which tells whether the gateway's extra work slows the model by taking its core or otherwise.
 */
import { execFileSync } from 'node:child_process';
import { pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of each thread of this process, in clock ticks. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks.set(tid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/** The threadpool's threads: the ones that worked while four hashes ran on it at once (its default size). */
async function threadpoolThreads(): Promise<string[]> {
  const before = threadTicks();
  await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve) => pbkdf2('pin', 'salt', 300_000, 32, 'sha256', resolve))));
  return [...threadTicks()].filter(([tid, ticks]) => tid !== String(process.pid) && ticks - (before.get(tid) ?? 0) >= 5).map(([tid]) => tid);
}

function postgresProcesses(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false; // gone meanwhile
      }
    });
}

/** Pins as described above; returns what it pinned. Threads started later inherit their creator's CPU. */
export async function pinModelToItsOwnCore(): Promise<{ threadpool: number; otherThreads: number; postgresProcesses: number }> {
  const pool = await threadpoolThreads();
  if (pool.length === 0) throw new Error('found no threadpool threads to pin');
  const threads = readdirSync('/proc/self/task');
  for (const tid of threads) execFileSync('taskset', ['-p', '-c', pool.includes(tid) ? '0' : '1', tid], { stdio: 'ignore' });
  const postgres = postgresProcesses();
  for (const pid of postgres) execFileSync('taskset', ['-a', '-p', '-c', '1', pid], { stdio: 'ignore' });
  return { threadpool: pool.length, otherThreads: threads.length - pool.length, postgresProcesses: postgres.length };
}
