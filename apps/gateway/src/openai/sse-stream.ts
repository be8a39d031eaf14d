import type { OpenAiError } from '@attest/contracts';
import type { FastifyReply } from 'fastify';

/**
 * Server-sent events exactly as OpenAI frames them: `data: <json>\n\n` per chunk, then `data: [DONE]\n\n`.
 * Headers go out with the first chunk, so a refusal before any output can still be a plain JSON error.
 */
export class SseStream {
  private opened = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly headers: () => Record<string, string>,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  send(payload: object): void {
    this.open();
    this.reply.raw.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  done(): void {
    this.open();
    this.reply.raw.end('data: [DONE]\n\n');
  }

  /** An error after output began: the SDKs raise on an `error` event, so the client never mistakes it for an answer. */
  fail(error: OpenAiError): void {
    this.open();
    this.reply.raw.end(`data: ${JSON.stringify(error)}\n\n`);
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
