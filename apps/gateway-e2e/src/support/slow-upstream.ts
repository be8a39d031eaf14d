import { createServer, type Server } from 'node:http';

/**
 * An OpenAI-compatible upstream that streams its answer slowly: `chunks` deltas, one every `intervalMs`. It stands in
 * for a large model on a busy pool, so a test can hold a streamed answer open for longer than the gateway's
 * request timeout.
 */
export interface SlowUpstream {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startSlowUpstream(chunks: readonly string[], intervalMs: number): Promise<SlowUpstream> {
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'slow-model', object: 'model' }] }));
      return;
    }
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'slow-1', object: 'chat.completion.chunk', created: 0, model: 'slow-model' };
      const frame = (delta: object, finish: string | null) =>
        response.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      let sent = 0;
      const timer = setInterval(() => {
        if (response.destroyed) return clearInterval(timer);
        if (sent < chunks.length) {
          frame({ content: chunks[sent++] }, null);
          return;
        }
        clearInterval(timer);
        frame({}, 'stop');
        const usage = { prompt_tokens: 5, completion_tokens: chunks.length, total_tokens: 5 + chunks.length };
        response.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        response.end('data: [DONE]\n\n');
      }, intervalMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
