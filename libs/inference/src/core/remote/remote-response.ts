import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Connections to model servers are kept open between calls (most recently used first, so idle ones can expire). Node's
 * own client, not fetch: per call fetch cost about 1 ms of CPU in WHATWG streams, signals and header objects (a
 * quarter of the gateway's work on a remote model, bench/overhead/README.md); this costs a fraction of it.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

export interface RemoteRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** Sends one request; resolves with the response once its headers arrive. Errors are the socket's, or an AbortError. */
export function exchange(request: RemoteRequest): Promise<RemoteResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
    if (protocol === undefined) {
      reject(new TypeError(`unsupported protocol ${url.protocol}`));
      return;
    }
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const outgoing = send(url, { method: request.method, headers, agent: agents[protocol], signal: request.signal }, (incoming) =>
      resolve(new RemoteResponse(incoming)),
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** A model server's answer: its status and a body read once, whole (`json`, `text`) or as it arrives (`body`). */
export class RemoteResponse {
  constructor(private readonly incoming: IncomingMessage) {
    // A reader sees errors through its iterator; one that arrives while nobody reads must not crash the process.
    incoming.on('error', () => undefined);
  }

  get status(): number {
    return this.incoming.statusCode ?? 0;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body's bytes as they arrive; an abort or a dropped connection ends it with an error. */
  get body(): AsyncIterable<Uint8Array> {
    return this.incoming;
  }

  /** Parses the whole body; a body that is not JSON throws a SyntaxError. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async text(maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.incoming as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Frees the connection: kept for the next call when the whole body has arrived, closed otherwise. */
  release(): void {
    if (this.incoming.complete) this.incoming.resume();
    else this.incoming.destroy();
  }
}
