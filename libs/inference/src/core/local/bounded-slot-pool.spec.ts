import { InferenceError, InferenceErrorCode } from '../inference.errors';
import { BoundedSlotPool } from './bounded-slot-pool';

const first = (free: readonly string[]): string => free[0]!;

function poolOf(slots: string[], overrides: { maxQueue?: number; queueTimeoutMs?: number } = {}) {
  return new BoundedSlotPool(slots, { maxQueue: 2, queueTimeoutMs: 60_000, label: 'test model', ...overrides });
}

describe(BoundedSlotPool.name, () => {
  it('hands out free slots through the picker, then queues in arrival order', async () => {
    const sut = poolOf(['a', 'b']);
    const picked = await sut.acquire((free) => free[free.length - 1]!);
    await sut.acquire(first);
    const waiting = [sut.acquire(first), sut.acquire(first)];

    sut.release('a');
    sut.release(picked!);

    await expect(Promise.all(waiting)).resolves.toEqual(['a', 'b']);
    expect({ active: sut.active, queued: sut.queued }).toEqual({ active: 2, queued: 0 });
  });

  it('refuses beyond the queue bound with QUEUE_FULL', async () => {
    const sut = poolOf(['a'], { maxQueue: 1 });
    await sut.acquire(first);
    const queued = sut.acquire(first);

    await expect(sut.acquire(first)).rejects.toMatchObject({ code: InferenceErrorCode.QueueFull, retryAfterSeconds: 2 });
    sut.release('a');
    await expect(queued).resolves.toBe('a');
  });

  it('drops an aborted waiter without giving it a slot', async () => {
    const sut = poolOf(['a']);
    await sut.acquire(first);
    const controller = new AbortController();
    const aborted = sut.acquire(first, controller.signal);

    controller.abort();

    await expect(aborted).resolves.toBeUndefined();
    expect(sut.queued).toBe(0);
    sut.release('a');
    expect(sut.active).toBe(0);
  });

  it('fails a waiter that outlasts the queue timeout with QUEUE_TIMEOUT', async () => {
    const sut = poolOf(['a'], { queueTimeoutMs: 10 });
    await sut.acquire(first);

    const error = await sut.acquire(first).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe(InferenceErrorCode.QueueTimeout);
    expect(sut.queued).toBe(0);
  });
});
