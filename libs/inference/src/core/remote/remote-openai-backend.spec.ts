import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InferenceRuntime } from '../inference-runtime';
import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { ModelSpec } from '../inference.types';
import { testConfig } from '../testing-factories';

type Handler = (body: Record<string, unknown>, res: ServerResponse, req: IncomingMessage) => void;

/** An OpenAI-compatible server on 127.0.0.1 whose behaviour each test scripts; it records every request. */
class ScriptedServer {
  readonly requests: { path: string; body: Record<string, unknown>; authorization?: string }[] = [];
  /** TCP connections accepted so far. */
  connections = 0;
  handler: Handler = (_body, res) => res.writeHead(500).end();
  private readonly server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      this.requests.push({ path: req.url ?? '', body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      this.handler(body, res, req);
    });
  });

  async start(): Promise<string> {
    this.server.on('connection', () => (this.connections += 1));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function chatAnswer(content: string) {
  return { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3 } };
}

function sse(res: ServerResponse, events: unknown[], end = true): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  if (end) res.end('data: [DONE]\n\n');
}

function remoteModel(endpoints: string[], overrides: Partial<Extract<ModelSpec['source'], { kind: 'remote_openai' }>> = {}): ModelSpec {
  return { versionId: `remote-${endpoints.join()}`, name: 'remote', source: { kind: 'remote_openai', endpoints, servedModel: 'served-x', ...overrides } };
}

function errorOf(promise: Promise<unknown>): Promise<InferenceError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof InferenceError ? error : undefined),
  );
}

describe('RemoteOpenAiBackend (through InferenceRuntime)', () => {
  const primary = new ScriptedServer();
  const secondary = new ScriptedServer();
  let primaryUrl: string;
  let secondaryUrl: string;
  /** A port nothing listens on: connections are refused. */
  let deadUrl: string;
  let sut: InferenceRuntime;

  beforeAll(async () => {
    [primaryUrl, secondaryUrl] = await Promise.all([primary.start(), secondary.start()]);
    const closed = new ScriptedServer();
    deadUrl = await closed.start();
    await closed.stop();
  });
  beforeEach(() => {
    primary.requests.length = 0;
    secondary.requests.length = 0;
    sut = new InferenceRuntime(testConfig({ remoteRetries: 2, remoteTimeoutMs: 5000 }));
  });
  afterEach(() => sut.close());
  afterAll(() => Promise.all([primary.stop(), secondary.stop()]));

  it('sends an OpenAI chat request and maps the answer and its usage', async () => {
    primary.handler = (_body, res) => json(res, 200, chatAnswer('{"ok":true}'));

    const result = await sut.generate(remoteModel([primaryUrl], { apiKey: 'sk-remote' }), {
      messages: [{ role: 'user', content: 'hi' }],
      maxTokens: 5,
      temperature: 0,
      stop: ['\n'],
      jsonSchema: { type: 'object' },
    });

    expect(result).toEqual({ text: '{"ok":true}', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 3, cachedPromptTokens: 0 } });
    expect(primary.requests).toEqual([
      {
        path: '/v1/chat/completions',
        authorization: 'Bearer sk-remote',
        body: {
          model: 'served-x',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 5,
          temperature: 0,
          stop: ['\n'],
          response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' }, strict: true } },
        },
      },
    ]);
  });

  it('streams completion chunks and takes usage from the final chunk', async () => {
    primary.handler = (_body, res) =>
      sse(res, [
        { choices: [{ index: 0, text: 'Once' }] },
        { choices: [{ index: 0, text: ' upon' }] },
        { choices: [{ index: 0, text: '', finish_reason: 'length' }] },
        { choices: [], usage: { prompt_tokens: 2, completion_tokens: 2 } },
      ]);
    const chunks: string[] = [];

    const result = await sut.generate(remoteModel([primaryUrl]), { prompt: 'x', onText: (c) => chunks.push(c) });

    expect(chunks).toEqual(['Once', ' upon']);
    expect(result).toEqual({ text: 'Once upon', finishReason: 'length', usage: { promptTokens: 2, completionTokens: 2, cachedPromptTokens: 0 } });
    expect(primary.requests[0]).toMatchObject({ path: '/v1/completions', body: { stream: true, stream_options: { include_usage: true } } });
  });

  it('keeps its connection open from call to call, streamed or not', async () => {
    const streamed = (_body: Record<string, unknown>, res: ServerResponse) =>
      sse(res, [{ choices: [{ index: 0, text: 'Hi', finish_reason: 'stop' }] }, { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }]);
    primary.handler = streamed;
    await sut.generate(remoteModel([primaryUrl]), { prompt: 'warm', onText: () => undefined });
    const before = primary.connections;

    for (const stream of [true, false, true, true, false]) {
      primary.handler = stream ? streamed : (_body, res) => json(res, 200, chatAnswer('plain'));
      await sut.generate(remoteModel([primaryUrl]), { messages: [{ role: 'user', content: 'x' }], ...(stream ? { onText: () => undefined } : {}) });
    }

    expect(primary.requests).toHaveLength(6);
    expect(primary.connections - before).toBe(0);
  });

  it('serves a whole streamed answer when the server never ends its response after [DONE]', async () => {
    primary.handler = (_body, res) => {
      sse(res, [{ choices: [{ index: 0, text: 'Whole', finish_reason: 'stop' }] }], false);
      res.write('data: [DONE]\n\n');
    };
    const chunks: string[] = [];
    const generation = sut.generate(remoteModel([primaryUrl], { timeoutMs: 30_000 }), { prompt: 'x', onText: (chunk) => chunks.push(chunk) });
    const slowerThanGrace = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 10_000).unref());

    const result = await Promise.race([generation, slowerThanGrace]);

    expect(result).toMatchObject({ text: 'Whole', finishReason: 'stop' });
    expect(chunks).toEqual(['Whole']);
  });

  it('fails over to the next endpoint when one refuses connections or answers 503', async () => {
    primary.handler = (_body, res) => json(res, 503, { error: { message: 'overloaded' } });
    secondary.handler = (_body, res) => json(res, 200, chatAnswer('from secondary'));

    const result = await sut.generate(remoteModel([deadUrl, primaryUrl, secondaryUrl]), { messages: [{ role: 'user', content: 'hi' }] });

    expect(result.text).toBe('from secondary');
    expect(primary.requests).toHaveLength(1);
  });

  it('tries a recently failed endpoint last', async () => {
    primary.handler = (_body, res) => json(res, 503, {});
    secondary.handler = (_body, res) => json(res, 200, chatAnswer('ok'));
    const model = remoteModel([primaryUrl, secondaryUrl]);
    await sut.generate(model, { messages: [{ role: 'user', content: 'first' }] });

    await sut.generate(model, { messages: [{ role: 'user', content: 'second' }] });

    expect(primary.requests).toHaveLength(1);
    expect(secondary.requests).toHaveLength(2);
  });

  it('does not retry a request the server rejects as invalid', async () => {
    primary.handler = (_body, res) => json(res, 400, { error: { message: 'prompt too long' } });

    const error = await errorOf(sut.generate(remoteModel([primaryUrl, secondaryUrl]), { prompt: 'x' }));

    expect(error?.code).toBe(InferenceErrorCode.InvalidRequest);
    expect(error?.message).toContain('prompt too long');
    expect(secondary.requests).toHaveLength(0);
  });

  it('gives up after the configured retries with BACKEND_FAILED', async () => {
    primary.handler = (_body, res) => json(res, 502, {});

    const error = await errorOf(sut.generate(remoteModel([primaryUrl]), { prompt: 'x' }));

    expect(error?.code).toBe(InferenceErrorCode.BackendFailed);
    expect(primary.requests).toHaveLength(3);
  });

  it('times out a silent endpoint with BACKEND_TIMEOUT', async () => {
    primary.handler = () => undefined;

    const error = await errorOf(sut.generate(remoteModel([primaryUrl], { timeoutMs: 150 }), { prompt: 'x' }));

    expect(error?.code).toBe(InferenceErrorCode.BackendTimeout);
  });

  it('never retries once text has been streamed to the caller', async () => {
    primary.handler = (_body, res) => {
      sse(res, [{ choices: [{ index: 0, delta: { content: 'par' } }] }], false);
      setTimeout(() => res.destroy(), 20);
    };
    const chunks: string[] = [];

    const error = await errorOf(
      sut.generate(remoteModel([primaryUrl, secondaryUrl]), { messages: [{ role: 'user', content: 'hi' }], onText: (c) => chunks.push(c) }),
    );

    expect(chunks).toEqual(['par']);
    expect(error?.code).toBe(InferenceErrorCode.BackendFailed);
    expect(secondary.requests).toHaveLength(0);
  });

  it('stops reading a stream on abort and reports finish reason aborted', async () => {
    primary.handler = (_body, res) => sse(res, [{ choices: [{ index: 0, delta: { content: 'one' } }] }], false);
    const controller = new AbortController();

    const result = await sut.generate(remoteModel([primaryUrl]), {
      messages: [{ role: 'user', content: 'hi' }],
      signal: controller.signal,
      onText: () => controller.abort(),
    });

    expect(result).toEqual({ text: 'one', finishReason: 'aborted', usage: { promptTokens: 0, completionTokens: 1 } });
  });

  it('maps embeddings in input order', async () => {
    primary.handler = (_body, res) =>
      json(res, 200, { data: [{ index: 1, embedding: [0, 1] }, { index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 4 } });

    const result = await sut.embed(remoteModel([primaryUrl]), ['a', 'b']);

    expect(result).toEqual({ vectors: [[1, 0], [0, 1]], promptTokens: 4 });
    expect(primary.requests[0]).toEqual({ path: '/v1/embeddings', body: { model: 'served-x', input: ['a', 'b'] } });
  });

  it('is loadable while any endpoint lists its models', async () => {
    primary.handler = (_body, res) => json(res, 200, { data: [{ id: 'served-x' }] });

    await expect(sut.isLoadable(remoteModel([deadUrl, primaryUrl]))).resolves.toBe(true);
    await expect(sut.isLoadable(remoteModel([deadUrl]))).resolves.toBe(false);
    expect(primary.requests[0]?.path).toBe('/v1/models');
  });

  it('counts no tokens remotely', async () => {
    await expect(errorOf(sut.countTokens(remoteModel([primaryUrl]), 'x'))).resolves.toMatchObject({ code: InferenceErrorCode.Unsupported });
  });
});
