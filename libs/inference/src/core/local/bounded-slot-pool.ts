import { InferenceError, InferenceErrorCode } from '../inference.errors';

export interface BoundedSlotPoolOptions {
  /** Requests allowed to wait when every slot is busy; one more is refused with QUEUE_FULL. */
  maxQueue: number;
  /** Longest wait in the queue before QUEUE_TIMEOUT. */
  queueTimeoutMs: number;
  /** Names the resource in error messages. */
  label: string;
}

interface Waiter<T> {
  pick: (free: readonly T[]) => T;
  resolve: (slot: T | undefined) => void;
  reject: (error: InferenceError) => void;
  cleanup: () => void;
}

/**
 * A fixed set of slots (a model's context sequences) and a bounded FIFO queue in front of them. A full queue refuses at
 * once, so a caller never waits without bound; an abort while queued leaves the queue without taking a slot.
 */
export class BoundedSlotPool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];
  private readonly acquiredAt = new Map<T, number>();
  /** Exponential moving average of how long a slot is held, for Retry-After. */
  private averageHoldMs = 1000;

  constructor(
    private readonly slots: readonly T[],
    private readonly options: BoundedSlotPoolOptions,
  ) {
    this.free = [...slots];
  }

  get allSlots(): readonly T[] {
    return this.slots;
  }

  get active(): number {
    return this.slots.length - this.free.length;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Seconds after which a retry has a fair chance: the queue ahead drained at the observed service time. */
  retryAfterSeconds(): number {
    const rounds = Math.ceil((this.waiters.length + 1) / this.slots.length);
    return Math.max(1, Math.ceil((rounds * this.averageHoldMs) / 1000));
  }

  /**
   * Takes a slot, choosing among the free ones with `pick`. Resolves `undefined` when `signal` aborts first.
   * @throws InferenceError QUEUE_FULL when the queue is full, QUEUE_TIMEOUT when the wait runs out.
   */
  acquire(pick: (free: readonly T[]) => T, signal?: AbortSignal): Promise<T | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.free.length > 0) return Promise.resolve(this.take(pick(this.free)));
    if (this.waiters.length >= this.options.maxQueue) {
      return Promise.reject(
        new InferenceError(
          InferenceErrorCode.QueueFull,
          `${this.options.label}: all ${this.slots.length} sequences are busy and ${this.waiters.length} requests are queued`,
          { retryAfterSeconds: this.retryAfterSeconds() },
        ),
      );
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        this.removeWaiter(waiter);
        resolve(undefined);
      };
      const timer = setTimeout(() => {
        this.removeWaiter(waiter);
        reject(
          new InferenceError(
            InferenceErrorCode.QueueTimeout,
            `${this.options.label}: waited ${this.options.queueTimeoutMs} ms in the queue`,
            { retryAfterSeconds: this.retryAfterSeconds() },
          ),
        );
      }, this.options.queueTimeoutMs);
      const waiter: Waiter<T> = {
        pick,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns a slot; the longest-waiting request gets it at once. */
  release(slot: T): void {
    const since = this.acquiredAt.get(slot);
    if (since === undefined) return;
    this.acquiredAt.delete(slot);
    this.averageHoldMs = 0.8 * this.averageHoldMs + 0.2 * (Date.now() - since);
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.free.push(slot);
      return;
    }
    waiter.cleanup();
    this.acquiredAt.set(slot, Date.now());
    waiter.resolve(slot);
  }

  /** Fails every waiting request, e.g. when the model is unloaded. */
  rejectWaiting(error: InferenceError): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  private take(slot: T): T {
    this.free.splice(this.free.indexOf(slot), 1);
    this.acquiredAt.set(slot, Date.now());
    return slot;
  }

  private removeWaiter(waiter: Waiter<T>): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    waiter.cleanup();
  }
}
