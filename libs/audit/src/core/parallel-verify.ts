import { availableParallelism, loadavg } from 'node:os';
import { checkLeafBatch, type LeafBatch, type LeafBatchFacts, LeafKind } from './leaf-batch-check';
import { defaultCheckWorkers, LeafCheckPool } from './leaf-check-pool';
import type { LogEntry, LogVerifier } from './log-verifier';

export interface ParallelVerifyOptions {
  /**
   * Worker threads for the per-event checks; 0 keeps the whole pass on the calling thread. By default cores - 1 (1..4),
   * used only while the load average leaves a core idle: on a busy machine a thread only adds its own overhead.
   */
  workers?: number;
  /** Fewer events than this are verified on the calling thread: a worker needs 0.1–0.3 s to start and warm up. */
  parallelFrom?: number;
  /** Events per worker batch. */
  batchSize?: number;
  /** Workers spawned beforehand (to start them early, or to wait for them in a test); closed when the pass ends. */
  pool?: LeafCheckPool;
}

export const DEFAULT_PARALLEL_FROM = 50_000;
const DEFAULT_BATCH_SIZE = 1_024;
/** How much of a core the load average must leave unused for the default to start workers. */
const IDLE_CORE = 0.75;
/** Batches cut beyond the workers' queues, for this thread to check while it waits. */
const QUEUE_SLACK = 4;

/** Whether a pass over `events` events should use worker threads under these options (see `workers`). */
export function wantsWorkers(events: number, options: ParallelVerifyOptions): boolean {
  if (options.pool) return true;
  if (events < (options.parallelFrom ?? DEFAULT_PARALLEL_FROM)) return false;
  return options.workers === undefined ? availableParallelism() - (loadavg()[0] ?? 0) >= IDLE_CORE : options.workers > 0;
}

/**
 * Consecutive positions of a log, laid out in one buffer: each event's canonical bytes (and, from a database, its column
 * texts) are located by `[start, end)` offsets, -1 where a position has no bytes (a bundle position outside the export).
 */
export class SpanRun {
  constructor(
    private readonly source: {
      data: Buffer;
      /** Two offsets per position. */
      spans: Float64Array;
      /** Eight offsets per position (id, action, outcome, tenant), -1 for NULL; database rows only. */
      columnSpans?: Float64Array;
      storedHash(index: number): Uint8Array | undefined;
      rowSeq?(index: number): number;
      /** The complete entry as the sequential pass is fed it (columns included). */
      entry(index: number): LogEntry;
    },
  ) {}

  get length(): number {
    return this.source.spans.length / 2;
  }

  bytes(index: number): Uint8Array | undefined {
    const start = this.source.spans[2 * index] as number;
    return start < 0 ? undefined : this.source.data.subarray(start, this.source.spans[2 * index + 1]);
  }

  storedHash(index: number): Uint8Array | undefined {
    return this.source.storedHash(index);
  }

  rowSeq(index: number): number | undefined {
    return this.source.rowSeq?.(index);
  }

  entry(index: number): LogEntry {
    return this.source.entry(index);
  }

  /** Copies positions [start, end) into a batch a worker can own; undefined when one of them has no bytes. */
  pack(start: number, end: number, origin: string, firstPosition: number): LeafBatch | undefined {
    const { data, spans, columnSpans } = this.source;
    let low = Infinity;
    let high = -Infinity;
    for (let index = start; index < end; index++) {
      if ((spans[2 * index] as number) < 0) return undefined;
      low = Math.min(low, spans[2 * index] as number);
      high = Math.max(high, spans[2 * index + 1] as number);
      for (let field = 0; columnSpans && field < 4; field++) {
        const at = 8 * index + 2 * field;
        if ((columnSpans[at] as number) >= 0) {
          low = Math.min(low, columnSpans[at] as number);
          high = Math.max(high, columnSpans[at + 1] as number);
        }
      }
    }
    const rebase = (offsets: Float64Array, from: number, to: number): Int32Array => {
      const rebased = new Int32Array(to - from);
      for (let at = from; at < to; at++) rebased[at - from] = (offsets[at] as number) < 0 ? -1 : (offsets[at] as number) - low;
      return rebased;
    };
    const batch: LeafBatch = { origin, firstPosition, data: new Uint8Array(data.subarray(low, high)), bounds: rebase(spans, 2 * start, 2 * end) };
    if (columnSpans) {
      batch.columnBounds = rebase(columnSpans, 8 * start, 8 * end);
      batch.columnSeqs = Float64Array.from({ length: end - start }, (_, offset) => this.rowSeq(start + offset) as number);
    }
    return batch;
  }
}

interface Slice {
  run: SpanRun;
  start: number;
  end: number;
  firstPosition: number;
  origin?: string;
  /** Packed for a worker (or for this thread); absent where the full check decides every position. */
  batch?: LeafBatch;
  /** Set while a worker holds the batch; resolves when it answered (facts) or failed (batch dropped). */
  sent?: Promise<void>;
  facts?: LeafBatchFacts;
}

/** One turn of the event loop, where worker messages are delivered (awaiting a settled promise is not enough). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const awaitingWorker = (slice: Slice): boolean => slice.sent !== undefined && slice.batch !== undefined && slice.facts === undefined;

/**
 * Feeds runs of positions to `verifier` with the per-event checks ({@link checkLeafBatch}) done batch by batch in worker
 * threads and, while it would otherwise wait for them, on this thread too. Batches are consumed in order: each event a
 * check passed is finished here ({@link LogVerifier.pushPrechecked}); any other, or one the shortcut cannot decide, is
 * pushed in full, so the first failure is exactly the sequential pass's. Stops at the first failure. `pool` may have
 * been spawned early (its workers start in the background); it is closed at the end.
 */
export async function pushInParallel(
  verifier: LogVerifier,
  runs: AsyncIterable<SpanRun> | Iterable<SpanRun>,
  options: ParallelVerifyOptions & { onPushed?: (count: number) => void } = {},
): Promise<void> {
  const pool = options.pool ?? LeafCheckPool.spawn(options.workers || defaultCheckWorkers());
  const pass = new ParallelPass(verifier, runs, pool, options);
  try {
    await pass.execute();
  } finally {
    await Promise.all([pool.close(), pass.close()]);
  }
}

class ParallelPass {
  private readonly slices: Slice[] = [];
  private readonly runs: AsyncIterator<SpanRun> | Iterator<SpanRun>;
  private run: SpanRun | undefined;
  private runOffset = 0;
  private exhausted = false;
  private nextPosition: number;
  private pushed = 0;
  private readonly batchSize: number;

  constructor(
    private readonly verifier: LogVerifier,
    runs: AsyncIterable<SpanRun> | Iterable<SpanRun>,
    private readonly pool: LeafCheckPool,
    private readonly options: ParallelVerifyOptions & { onPushed?: (count: number) => void },
  ) {
    this.runs = Symbol.asyncIterator in runs ? runs[Symbol.asyncIterator]() : runs[Symbol.iterator]();
    this.nextPosition = verifier.position;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  async execute(): Promise<void> {
    for (;;) {
      await this.cutAhead();
      this.sendWhatFits();
      const head = this.slices[0];
      if (!head) return;
      if (awaitingWorker(head)) {
        // The head is with a worker: check a later batch here meanwhile, then let the worker's answer in.
        const spare = this.slices.find((slice) => slice.batch && !slice.sent && !slice.facts);
        if (spare) {
          spare.facts = checkLeafBatch(spare.batch as LeafBatch);
          await nextTurn();
          continue;
        }
        // Nothing else to do here: rather than wait on a worker (on a busy machine one can be descheduled for a while),
        // check the head on this thread too; the worker's answer, if it comes, is not used.
        head.facts = checkLeafBatch(head.run.pack(head.start, head.end, head.origin as string, head.firstPosition) as LeafBatch);
      }
      if (head.batch && !head.sent && !head.facts) {
        head.facts = checkLeafBatch(head.batch);
        await nextTurn(); // lets worker messages in: a worker that became ready, an answer
      }
      this.slices.shift();
      const ok = feed(this.verifier, head, head.facts);
      this.pushed += head.end - head.start;
      this.options.onPushed?.(this.pushed);
      if (!ok) return;
    }
  }

  /** Keeps a few batches cut beyond what the workers hold, so this thread has one to check while it waits. */
  private async cutAhead(): Promise<void> {
    const lookahead = QUEUE_SLACK + this.pool.capacity + this.slices.filter(awaitingWorker).length;
    while (this.slices.length < lookahead) {
      // Until the pass knows its origin (no checkpoint named it), events go one at a time, each pushed in full.
      if (this.verifier.expectedOrigin === undefined && this.slices.length > 0) return;
      const run = await this.currentRun();
      if (!run) return;
      const origin = this.verifier.expectedOrigin;
      const start = this.runOffset;
      const end = origin === undefined ? start + 1 : Math.min(run.length, start + this.batchSize);
      this.slices.push({ run, start, end, firstPosition: this.nextPosition, origin, batch: origin === undefined ? undefined : run.pack(start, end, origin, this.nextPosition) });
      this.runOffset = end;
      this.nextPosition += end - start;
    }
  }

  /** Lets the source release what it holds (a database page being fetched) when the pass stopped early. */
  async close(): Promise<void> {
    if (!this.exhausted) await this.runs.return?.();
  }

  private async currentRun(): Promise<SpanRun | undefined> {
    while (!this.exhausted && (!this.run || this.runOffset >= this.run.length)) {
      const next = await this.runs.next();
      if (next.done) this.exhausted = true;
      else [this.run, this.runOffset] = [next.value, 0];
    }
    return this.exhausted ? undefined : this.run;
  }

  private sendWhatFits(): void {
    for (const slice of this.slices) {
      if (this.pool.capacity === 0) return;
      if (!slice.batch || slice.sent || slice.facts) continue;
      // A worker that fails leaves its batch to the full check on this thread.
      slice.sent = this.pool.check(slice.batch).then(
        (facts) => void (slice.facts ??= facts),
        () => void (slice.batch = undefined),
      );
    }
  }
}

function feed(verifier: LogVerifier, slice: Slice, facts: LeafBatchFacts | undefined): boolean {
  const { run, start, end } = slice;
  const trusted = facts !== undefined && facts.origin === verifier.expectedOrigin;
  let requestIndex = 0;
  for (let index = start; index < end; index++) {
    const offset = index - start;
    let ok: boolean | undefined;
    if (trusted && offset < facts.passed) {
      const kind = facts.kinds[offset] as LeafKind;
      const carriesRequest = kind === LeafKind.OpensRequest || kind === LeafKind.ClosesRequest;
      const requestId = carriesRequest ? facts.requestIds[requestIndex++] : undefined;
      ok = verifier.pushPrechecked({ bytes: run.bytes(index) as Uint8Array, storedHash: run.storedHash(index), rowSeq: run.rowSeq(index), prev: facts.prev.subarray(32 * offset, 32 * offset + 32), kind, requestId });
    }
    ok ??= verifier.push(run.entry(index));
    if (!ok) return false;
  }
  return true;
}

/** Calls `report` with each multiple of `every` that `done` passed since `before`. */
export function reportCrossings(before: number, done: number, every: number, report: (done: number) => void): void {
  for (let mark = (Math.floor(before / every) + 1) * every; mark <= done; mark += every) report(mark);
}
