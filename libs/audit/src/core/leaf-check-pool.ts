import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LeafBatch, LeafBatchFacts } from './leaf-batch-check';

// The worker loads leaf-batch-check from beside this file: compiled JavaScript when there is some, else the TypeScript
// sources (what jest and scripts/run-ts.cjs run, whose require hooks a worker thread does not inherit) transpiled once
// on this thread and handed over as CommonJS, so no worker loads a compiler.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.sources) {
  require.extensions['.ts'] = (module, filename) => module._compile(workerData.sources[filename], filename);
}
const { checkLeafBatch } = require(workerData.modulePath);
parentPort.on('message', ({ id, batch }) => {
  let facts;
  try {
    facts = checkLeafBatch(batch);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.stack) || error) });
    return;
  }
  parentPort.postMessage({ id, facts }, [facts.prev.buffer, facts.kinds.buffer]);
});
parentPort.postMessage({ ready: true });
`;

/** Batches queued per worker: one being checked, one waiting, so a worker never idles between messages. */
const QUEUED_PER_WORKER = 2;

type WorkerReply = { ready: true } | { id: number; facts: LeafBatchFacts } | { id: number; error: string };

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  /** Settles when the worker has loaded the checker, or died trying. */
  started: Promise<void>;
  dead: boolean;
  inFlight: Map<number, { resolve(facts: LeafBatchFacts): void; reject(error: Error): void }>;
}

/** Worker threads by default: one fewer than the cores (the main thread checks batches too), at least one, at most four. */
export function defaultCheckWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * Worker threads that run {@link checkLeafBatch}. They start in the background: `capacity` says how many batches may be
 * sent now (none until a worker has loaded the checker), so the caller checks batches itself meanwhile. A worker that
 * fails rejects what it held and takes no more.
 *
 * @example
 * const pool = LeafCheckPool.spawn(2);
 * try { if (pool.capacity > 0) facts = await pool.check(batch); } finally { await pool.close(); }
 */
export class LeafCheckPool {
  private nextId = 0;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[]) {}

  /** Starts `size` workers; where none can start (no way to load the checker), a pool that takes nothing. */
  static spawn(size = defaultCheckWorkers()): LeafCheckPool {
    const pool = new LeafCheckPool([]);
    try {
      const compiled = join(__dirname, 'leaf-batch-check.js');
      const workerData = existsSync(compiled) ? { modulePath: compiled } : { modulePath: join(__dirname, 'leaf-batch-check.ts'), sources: transpiledSources() };
      for (let index = 0; index < size; index++) pool.workers.push(pool.watch(new Worker(WORKER_SOURCE, { eval: true, workerData })));
    } catch {
      // The caller checks every batch itself: slower, the same result.
    }
    return pool;
  }

  /** How many batches can be sent without waiting. */
  get capacity(): number {
    let free = 0;
    for (const entry of this.workers) if (entry.ready && !entry.dead) free += QUEUED_PER_WORKER - entry.inFlight.size;
    return this.closed ? 0 : free;
  }

  /** Checks one batch on the least busy ready worker. `batch.data` is transferred: the caller must not use it afterwards. */
  check(batch: LeafBatch): Promise<LeafBatchFacts> {
    const ready = this.workers.filter((entry) => entry.ready && !entry.dead);
    const entry = ready.sort((a, b) => a.inFlight.size - b.inFlight.size)[0];
    if (this.closed || !entry) return Promise.reject(new Error('no leaf check worker is ready'));
    const id = this.nextId++;
    return new Promise<LeafBatchFacts>((resolve, reject) => {
      entry.inFlight.set(id, { resolve, reject });
      entry.worker.postMessage({ id, batch }, [batch.data.buffer as ArrayBuffer]);
    });
  }

  /** Waits until every worker is ready (or has failed); resolves to how many are ready. */
  async ready(): Promise<number> {
    await Promise.all(this.workers.map((entry) => entry.started));
    return this.workers.filter((entry) => entry.ready && !entry.dead).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }

  private watch(worker: Worker): PoolWorker {
    let started!: () => void;
    const entry: PoolWorker = { worker, ready: false, dead: false, started: new Promise((resolve) => (started = resolve)), inFlight: new Map() };
    const die = (error: Error) => {
      entry.dead = true;
      started();
      for (const pending of entry.inFlight.values()) pending.reject(error);
      entry.inFlight.clear();
    };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        entry.ready = true;
        started();
        return;
      }
      const pending = entry.inFlight.get(reply.id);
      entry.inFlight.delete(reply.id);
      if ('error' in reply) pending?.reject(new Error(`leaf check worker failed: ${reply.error}`));
      else pending?.resolve(reply.facts);
    });
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`leaf check worker exited with code ${code}`)));
    return entry;
  }
}

let sources: Record<string, string> | undefined;

/** The one call of @swc/core used here (loaded lazily: a compiled build never needs it). */
interface Swc {
  transformSync(source: string, options: object): { code: string };
}

/** leaf-batch-check.ts and the modules it requires, as CommonJS by swc (already a dependency: jest and run-ts use it). */
function transpiledSources(): Record<string, string> {
  if (sources) return sources;
  const swc = require('@swc/core') as Swc;
  const found: Record<string, string> = {};
  const pending = [join(__dirname, 'leaf-batch-check.ts')];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (found[file] !== undefined) continue;
    const { code } = swc.transformSync(readFileSync(file, 'utf8'), { filename: file, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } });
    found[file] = code;
    for (const [, relative] of code.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) pending.push(`${resolve(dirname(file), relative as string)}.ts`);
  }
  return (sources = found);
}
