/**
 * A fast OpenAI-compatible upstream for the overhead benchmark: POST /v1/chat/completions answers a fixed short text
 * at once, as JSON or as server-sent events (one frame per word, then usage when asked for, then `[DONE]`). It runs
 * in its own process so that neither the load generator nor a gateway shares its event loop. GET /stats counts the
 * requests it got and how many carried the PII prompt's e-mail address in clear (Attest governed must send none).
 *
 *   node scripts/run-ts.cjs bench/overhead/mock-upstream.ts [port]    # prints `listening <port>` on stdout
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MOCK_ANSWER, MOCK_USAGE, PII_EMAIL } from './workload';

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const created = Math.floor(Date.now() / 1000);
const stats = { requests: 0, rawEmails: 0 };
const usage = { prompt_tokens: MOCK_USAGE.promptTokens, completion_tokens: MOCK_USAGE.completionTokens, total_tokens: MOCK_USAGE.promptTokens + MOCK_USAGE.completionTokens };
// Split before each space so that the pieces join back to exactly the answer, as tokens do.
const pieces = MOCK_ANSWER.split(/(?= )/);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function whole(model: string): string {
  return JSON.stringify({
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: MOCK_ANSWER }, finish_reason: 'stop' }],
    usage,
  });
}

function frame(model: string, choices: unknown[], extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
}

function stream(response: ServerResponse, model: string, includeUsage: boolean): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(frame(model, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
  for (const piece of pieces) response.write(frame(model, [{ index: 0, delta: { content: piece }, finish_reason: null }]));
  response.write(frame(model, [{ index: 0, delta: {}, finish_reason: 'stop' }]));
  if (includeUsage) response.write(frame(model, [], { usage }));
  response.end('data: [DONE]\n\n');
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    return;
  }
  const text = await readBody(request);
  stats.requests += 1;
  if (text.includes(PII_EMAIL)) stats.rawEmails += 1;
  const body = JSON.parse(text) as ChatBody;
  const model = body.model ?? 'mock-model';
  if (body.stream) stream(response, model, body.stream_options?.include_usage === true);
  else response.writeHead(200, { 'content-type': 'application/json' }).end(whole(model));
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => {
    if (!response.headersSent) response.writeHead(400, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"bad request"}}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
