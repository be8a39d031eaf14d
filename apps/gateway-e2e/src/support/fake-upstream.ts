import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A stand-in for an enterprise's own OpenAI-compatible server (vLLM, llama.cpp server, Ollama) on 127.0.0.1: it
 * answers every chat request with the given chunks, so a test controls exactly what the "model" says.
 */
export interface FakeUpstream {
  baseUrl: string;
  /** Prompts as the upstream received them (after the gateway's redaction). */
  received: string[];
  close(): Promise<void>;
}

export async function startFakeUpstream(chunks: string[]): Promise<FakeUpstream> {
  const received: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url?.endsWith('/models')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-model', object: 'model' }] }));
      return;
    }
    let body = '';
    request.on('data', (part: Buffer) => (body += part.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as { messages?: { content: string }[]; stream?: boolean };
      received.push((parsed.messages ?? []).map((message) => message.content).join('\n'));
      const usage = { prompt_tokens: 5, completion_tokens: chunks.length, total_tokens: 5 + chunks.length };
      if (!parsed.stream) {
        const message = { role: 'assistant', content: chunks.join('') };
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'up-1', object: 'chat.completion', created: 0, model: 'upstream-model', choices: [{ index: 0, message, finish_reason: 'stop' }], usage }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const frame = (payload: object) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
      for (const content of chunks) {
        frame({ id: 'up-1', object: 'chat.completion.chunk', created: 0, model: 'upstream-model', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
      }
      frame({ id: 'up-1', object: 'chat.completion.chunk', created: 0, model: 'upstream-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      frame({ id: 'up-1', object: 'chat.completion.chunk', created: 0, model: 'upstream-model', choices: [], usage });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
