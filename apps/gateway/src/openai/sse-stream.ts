import type { OpenAiError } from '@attest/contracts';
import type { FastifyReply } from 'fastify';

/**
 * Frames that follow a write by less than this are held and written together when it has passed. A model that
 * generates slower than one token per interval (tens of tokens a second: every real deployment) has each frame written
 * the moment it exists; a faster one has a few frames per write, which spares a system call and a client-side read
 * per token without delaying any frame by more than the interval. The first frame is never held.
 */
export const SSE_COALESCE_MS = 4;

/**
 * Server-sent events exactly as OpenAI frames them: `data: <json>\n\n` per chunk, then `data: [DONE]\n\n`.
 * Headers go out with the first chunk, so a refusal before any output can still be a plain JSON error.
 */
export class SseStream {
  private opened = false;
  private held = '';
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly reply: FastifyReply,
    private readonly headers: () => Record<string, string>,
    private readonly coalesceMs: number = SSE_COALESCE_MS,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  send(payload: object): void {
    this.open();
    const frame = `data: ${JSON.stringify(payload)}\n\n`;
    if (this.timer) {
      this.held += frame;
      return;
    }
    const sinceWrite = performance.now() - this.lastWriteAt;
    if (sinceWrite >= this.coalesceMs) {
      this.write(frame);
      return;
    }
    this.held = frame;
    this.timer = setTimeout(() => this.writeHeld(), this.coalesceMs - sinceWrite);
  }

  done(): void {
    this.end('data: [DONE]\n\n');
  }

  /** An error after output began: the SDKs raise on an `error` event, so the client never mistakes it for an answer. */
  fail(error: OpenAiError): void {
    this.end(`data: ${JSON.stringify(error)}\n\n`);
  }

  /** The last frame goes out with whatever is still held, in order. */
  private end(last: string): void {
    this.open();
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.held + last;
    this.held = '';
    this.reply.raw.end(text);
  }

  private writeHeld(): void {
    this.timer = undefined;
    const text = this.held;
    this.held = '';
    // The client may have gone away meanwhile (the responder then destroys the response): nothing to write to.
    if (text !== '' && !this.reply.raw.destroyed && !this.reply.raw.writableEnded) this.write(text);
  }

  private write(text: string): void {
    this.reply.raw.write(text);
    this.lastWriteAt = performance.now();
  }

  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.reply.hijack();
    // `keep-alive` is said explicitly for proxies and clients, but never over a client's `Connection: close`: node
    // would obey the header and hold that client's socket open after the stream ends.
    const clientCloses = /\bclose\b/i.test(String(this.reply.request.headers.connection ?? ''));
    this.reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...(clientCloses ? {} : { connection: 'keep-alive' }),
      'x-accel-buffering': 'no',
      ...this.headers(),
    });
  }
}
