import OpenAI from 'openai';

/** What became of one request, as the official client saw it. */
export interface RequestOutcome {
  requestId: string;
  stream: boolean;
  /** Label of the test phase the request started in. */
  phase: string;
  /** HTTP status; 0 when the connection failed without one. */
  status: number;
  /** The client received a complete answer: a JSON body, or a stream through its finish_reason (sent after the commit). */
  acknowledged: boolean;
  /** The `error` object of an OpenAI-shaped error, when there was one. */
  error?: { message?: string; type?: string; code?: string | null; param?: string | null };
  /** Anything else that went wrong (a dropped connection, an SDK exception). */
  failure?: string;
}

export interface LoadDriverOptions {
  client: OpenAI;
  model: string;
  /** Prefix of the x-request-id each request carries, so the log can be matched against the client's view. */
  idPrefix: string;
  concurrency: number;
  maxTokens?: number;
  /** Pause of each worker between two requests, to stay under the policy's per-key rate limit (600 a minute). */
  pauseMs?: number;
}

/**
 * Keeps `concurrency` requests in flight (streamed and whole, alternating) until stopped, recording every outcome with
 * the phase it started in. Requests carry their own x-request-id, which the gateway adopts for its audit events.
 */
export class LoadDriver {
  readonly outcomes: RequestOutcome[] = [];
  phase = 'start';
  private running = false;
  private workers: Promise<void>[] = [];
  private sequence = 0;

  constructor(private readonly options: LoadDriverOptions) {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  count(predicate: (outcome: RequestOutcome) => boolean): number {
    return this.outcomes.filter(predicate).length;
  }

  /** Resolves when `predicate` holds; fails after `timeoutMs` with what was seen so far. */
  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; outcomes: ${this.summary()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  summary(): string {
    const counts = new Map<string, number>();
    for (const outcome of this.outcomes) {
      const key = `${outcome.phase}:${outcome.status}:${outcome.error?.code ?? outcome.failure ?? (outcome.acknowledged ? 'ok' : 'unacknowledged')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return JSON.stringify(Object.fromEntries(counts));
  }

  private async work(): Promise<void> {
    while (this.running) {
      const index = this.sequence++;
      this.outcomes.push(await this.send(`${this.options.idPrefix}-${index}`, index % 2 === 1));
      if (this.options.pauseMs) await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  private async send(requestId: string, stream: boolean): Promise<RequestOutcome> {
    const phase = this.phase;
    const base = { requestId, stream, phase };
    const body = { model: this.options.model, messages: [{ role: 'user' as const, content: 'Once upon a time' }], max_tokens: this.options.maxTokens ?? 8 };
    const headers = { 'x-request-id': requestId };
    try {
      if (!stream) {
        const completion = await this.options.client.chat.completions.create(body, { headers });
        return { ...base, status: 200, acknowledged: completion.choices[0]?.finish_reason !== undefined };
      }
      const chunks = await this.options.client.chat.completions.create({ ...body, stream: true }, { headers });
      let finished = false;
      for await (const chunk of chunks) if (chunk.choices[0]?.finish_reason) finished = true;
      return { ...base, status: 200, acknowledged: finished, ...(finished ? {} : { failure: 'stream ended without finish_reason' }) };
    } catch (error) {
      if (error instanceof OpenAI.APIError && !(error instanceof OpenAI.APIConnectionError)) {
        const shaped = error.error as RequestOutcome['error'] | undefined;
        // A stream that fails after its 200 header raises an APIError without status.
        return { ...base, status: error.status ?? 200, acknowledged: false, ...(shaped ? { error: shaped } : { failure: error.message }) };
      }
      return { ...base, status: 0, acknowledged: false, failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}

/** A stack frame (`    at fn (file:1:2)`) or a source path in text that reached a client. */
export const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|node_modules|\.ts:\d+/;
