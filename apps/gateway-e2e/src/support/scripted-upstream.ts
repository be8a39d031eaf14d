import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How the upstream answers one chat request; `stream` is what the gateway asked for. */
export type UpstreamBehaviour = (request: { stream: boolean }, response: ServerResponse) => void;

export interface ScriptedUpstream {
  baseUrl: string;
  /** Chat requests received so far. */
  hits: number;
  behave: UpstreamBehaviour;
  close(): Promise<void>;
}

const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
const chunkOf = (content: string, finish: string | null = null) => ({
  id: 'up-1',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'upstream-model',
  choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
});
const frame = (response: ServerResponse, payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);

/** Behaviours of a faulty (or healthy) OpenAI-compatible server, as vLLM, llama.cpp server or Ollama might show them. */
export const upstream = {
  /** A correct answer, whole or streamed. */
  answers(text: string): UpstreamBehaviour {
    return ({ stream }, response) => {
      if (!stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'up-1', object: 'chat.completion', created: 0, model: 'upstream-model', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      frame(response, chunkOf(text));
      frame(response, chunkOf('', 'stop'));
      frame(response, { ...chunkOf(''), choices: [], usage });
      response.end('data: [DONE]\n\n');
    };
  },
  /** Accepts the request and never answers: no status line, no bytes. */
  hangs(): UpstreamBehaviour {
    return () => undefined;
  },
  /** Drops the TCP connection (RST) before any response byte. */
  resets(): UpstreamBehaviour {
    return (_request, response) => response.socket?.resetAndDestroy();
  },
  /** Any status with a body, e.g. a 500 with an HTML error page. */
  status(code: number, body = '<html><body><h1>Internal Server Error</h1></body></html>', contentType = 'text/html'): UpstreamBehaviour {
    return (_request, response) => response.writeHead(code, { 'content-type': contentType }).end(body);
  },
  /** 200 with a body that is not JSON (or not the event stream asked for). */
  garbage(body = 'upstream proxy says: <not json> \u0000\u00ff'): UpstreamBehaviour {
    return (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  },
  /** 200 JSON of the wrong shape (no choices, choices of the wrong type). */
  wrongShape(body: unknown): UpstreamBehaviour {
    return ({ stream }, response) => {
      if (!stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      frame(response, body);
      response.end('data: [DONE]\n\n');
    };
  },
  /** A stream that sends some text and then ends cleanly without finish_reason or [DONE] (a proxy cut it short). */
  truncatedStream(text: string): UpstreamBehaviour {
    return (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      frame(response, chunkOf(text));
      response.end();
    };
  },
  /** A stream whose first frame is not JSON. */
  garbledStream(): UpstreamBehaviour {
    return (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('data: {"choices": [{"delta": {"content": "Hel\n\n');
    };
  },
  /** A stream that sends its first text and then falls silent with the connection open. */
  stallsAfterFirstChunk(text: string): UpstreamBehaviour {
    return (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      frame(response, chunkOf(text));
    };
  },
};

/** An OpenAI-compatible server on 127.0.0.1 whose answer to chat requests a test sets (`behave`) between requests. */
export async function startScriptedUpstream(behave: UpstreamBehaviour = upstream.answers('Hello.')): Promise<ScriptedUpstream> {
  const sockets = new Set<Socket>();
  const state: ScriptedUpstream = { baseUrl: '', hits: 0, behave, close: async () => undefined };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url?.endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-model', object: 'model' }] }));
      return;
    }
    let body = '';
    request.on('data', (part: Buffer) => (body += part.toString()));
    request.on('end', () => {
      state.hits += 1;
      const parsed = JSON.parse(body || '{}') as { stream?: boolean };
      state.behave({ stream: parsed.stream === true }, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}
