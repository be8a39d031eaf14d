import type { FastifyReply } from 'fastify';
import { SseStream } from './sse-stream';

/** A reply whose raw response records what reaches the socket, one entry per write. */
function fakeReply() {
  const writes: string[] = [];
  const raw = {
    destroyed: false,
    writableEnded: false,
    writeHead: jest.fn(),
    write: (text: string) => writes.push(text),
    end: (text: string) => {
      writes.push(text);
      raw.writableEnded = true;
    },
  };
  const reply = { raw, hijack: jest.fn(), request: { headers: {} } } as unknown as FastifyReply;
  return { reply, raw, writes };
}

const frame = (n: number) => `data: {"n":${n}}\n\n`;

describe(SseStream.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes the first frame at once and frames that follow within the interval together, in order', () => {
    const { reply, writes } = fakeReply();
    const sut = new SseStream(reply, () => ({}), 4);
    sut.send({ n: 1 });
    expect(writes).toEqual([frame(1)]);
    jest.advanceTimersByTime(1);
    sut.send({ n: 2 });
    sut.send({ n: 3 });
    expect(writes).toEqual([frame(1)]);
    jest.advanceTimersByTime(3);
    expect(writes).toEqual([frame(1), frame(2) + frame(3)]);
    // A frame that comes after a quiet interval goes out on its own, immediately.
    jest.advanceTimersByTime(10);
    sut.send({ n: 4 });
    expect(writes.at(-1)).toBe(frame(4));
  });

  it('ends with what is still held, then the terminator, and writes nothing after', () => {
    const { reply, writes } = fakeReply();
    const sut = new SseStream(reply, () => ({}), 4);
    sut.send({ n: 1 });
    sut.send({ n: 2 });
    sut.done();
    expect(writes).toEqual([frame(1), `${frame(2)}data: [DONE]\n\n`]);
    jest.advanceTimersByTime(10);
    expect(writes).toHaveLength(2);
  });

  it('drops held frames when the client went away before they were due', () => {
    const { reply, raw, writes } = fakeReply();
    const sut = new SseStream(reply, () => ({}), 4);
    sut.send({ n: 1 });
    sut.send({ n: 2 });
    raw.destroyed = true;
    jest.advanceTimersByTime(10);
    expect(writes).toEqual([frame(1)]);
  });

  it('writes every frame at once with an interval of 0', () => {
    const { reply, writes } = fakeReply();
    const sut = new SseStream(reply, () => ({}), 0);
    sut.send({ n: 1 });
    sut.send({ n: 2 });
    expect(writes).toEqual([frame(1), frame(2)]);
  });
});
