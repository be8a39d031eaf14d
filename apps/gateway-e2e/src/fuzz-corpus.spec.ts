import { chatCompletionRequestSchema, completionRequestSchema, embeddingRequestSchema, openAiErrorSchema } from '@attest/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import { type z } from 'zod';
import { SseStream } from '../../gateway/src/openai/sse-stream';
import { parseEventStream, parseWithOpenAiClient, splitBytes } from '../../gateway/test/sse-parsers';
import { loadFuzzCorpus } from '../../../libs/pii/src/core/testing/fuzz-corpus';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';
import { loadRequestCorpus } from './support/fuzz-corpus';
import { rawRequest } from './support/raw-http';

// Every entry of the request fuzz corpus, byte for byte over a real socket, against the whole gateway (real database,
// real model, redacted payloads in the audit log); and every text of the PII fuzz corpus as a chat message and as
// streamed model output through the SSE writer.
const requests = loadRequestCorpus();
const texts = loadFuzzCorpus();
const schemas: Record<string, z.ZodType> = {
  '/v1/chat/completions': chatCompletionRequestSchema,
  '/v1/completions': completionRequestSchema,
  '/v1/embeddings': embeddingRequestSchema,
};
/** Corpus texts up to this length are also sent as prompts; the huge ones only test the PII engine and SSE framing. */
const promptedUpTo = 4_000;

describe('the fuzz corpora against the gateway', () => {
  let gateway: E2eGateway;
  let developerKey: string;

  beforeAll(async () => {
    gateway = await startE2eGateway({ ATTEST_AUDIT_PAYLOAD_MODE: 'redacted' });
    developerKey = await gateway.issueKey({ name: 'fuzz-corpus', roles: ['developer'] });
  });
  afterAll(() => gateway.close());

  it('holds entries', () => {
    expect(requests.length).toBeGreaterThan(50);
    expect(texts.length).toBeGreaterThan(40);
  });

  it.each(requests.map((entry) => [`${entry.file}: ${entry.name}`, entry] as const))('request %s', async (_label, entry) => {
    const head = [`POST ${entry.route} HTTP/1.1`, 'host: 127.0.0.1', `authorization: Bearer ${developerKey}`];
    if (entry.contentType !== null) head.push(`content-type: ${entry.contentType}`);
    const answer = await rawRequest(gateway.url, head.join('\r\n'), entry.body);

    expect(answer.status).toBeLessThan(500);
    if (entry.status !== undefined) expect(answer.status).toBe(entry.status);
    expect(answer.body).not.toMatch(/\bat .+:\d+:\d+/);
    if (answer.status >= 400) expect(openAiErrorSchema.strict().safeParse(JSON.parse(answer.body)).error).toBeUndefined();

    // The schema alone, on whatever JSON the body holds: issues or data, never an exception.
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry.body.toString('utf8'));
    } catch {
      return;
    }
    const result = schemas[entry.route]?.safeParse(parsed);
    expect(result?.success === true || (result?.error?.issues.length ?? 0) > 0).toBe(true);
  });

  it.each(texts.filter((entry) => entry.text.length <= promptedUpTo).map((entry) => [`${entry.file}: ${entry.name}`, entry] as const))(
    'prompt %s',
    async (_label, { text }) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${developerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stories260k', messages: [{ role: 'user', content: text }], max_tokens: 1 }),
      });
      const body = await response.text();
      // A lone surrogate cannot be kept faithfully in the redacted log: that one refusal (400) is by design.
      expect([200, 400]).toContain(response.status);
      if (response.status === 400) expect(JSON.parse(body)).toMatchObject({ error: { code: 'AUDIT_EVENT_INVALID' } });
    },
  );

  describe('the SSE writer', () => {
    let app: FastifyInstance;

    beforeAll(async () => {
      app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
      app.post('/sse', async (request, reply) => {
        const sse = new SseStream(reply, () => ({}));
        for (const content of request.body as string[]) sse.send({ choices: [{ index: 0, delta: { content } }] });
        sse.done();
        return reply;
      });
      await app.ready();
    });
    afterAll(() => app.close());

    it.each(texts.map((entry) => [`${entry.file}: ${entry.name}`, entry] as const))('frames %s so both parsers recover it exactly', async (_label, { text }) => {
      const chunks = [text, text.slice(0, 7), '', text.slice(7)];
      const response = await app.inject({ method: 'POST', url: '/sse', payload: chunks });
      const expected = [...chunks.map((content) => JSON.stringify({ choices: [{ index: 0, delta: { content } }] })), '[DONE]'];
      const pieces = splitBytes(new Uint8Array(response.rawPayload), [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]);
      expect(parseEventStream(pieces).map((event) => event.data)).toEqual(expected);
      expect((await parseWithOpenAiClient(pieces)).map((event) => event.data)).toEqual(expected);
    });
  });
});
