import { openAiError } from '@attest/contracts';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseEventStream, parseWithOpenAiClient, splitBytes } from '../../test/sse-parsers';
import { SseStream } from './sse-stream';

// Property tests of the SSE writer: whatever the model says (newlines, `\r`, `data:` lines, NUL, lone surrogates,
// U+2028), a standard event-stream parser recovers exactly the chunks that were written, in order, however the
// bytes are split on the wire, and no content can start an event of its own (frame injection).

interface Script {
  payloads: unknown[];
  ending: 'done' | 'fail';
}

/** Text aimed at the framing: line breaks of every kind, fake fields, fake terminators, odd code units. */
const framingAttack = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\r\r',
  'data: [DONE]\n\n',
  '\r\ndata: {"injected":true}\r\n\r\n',
  'event: error\n',
  'id: 42\nretry: 1\n',
  ': comment\n',
  'data:',
  '\u0000',
  '\ud800',
  '\udfff',
  '\u2028\u2029',
  '\u0085',
  '\ufeff',
  '😀',
);
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const content = fc.array(fc.oneof(framingAttack, fc.string({ unit: anyCodeUnit, maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 8 }).map((parts) => parts.join(''));
const chunk = fc.oneof(
  content.map((text) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })),
  fc.jsonValue({ maxDepth: 3 }).filter((value): value is object => typeof value === 'object' && value !== null),
);
const script: fc.Arbitrary<Script> = fc.record({ payloads: fc.array(chunk, { maxLength: 12 }), ending: fc.constantFrom('done' as const, 'fail' as const) });

describe('SseStream properties', () => {
  let app: FastifyInstance;
  const failure = openAiError('The model failed mid-answer.', 'server_error', 'internal_error');

  beforeAll(async () => {
    // The payloads are arbitrary JSON, `{"__proto__": {}}` included: this harness tests the writer, not body parsing,
    // so it keeps such keys as the plain data JSON.parse makes of them (the gateway itself refuses them with a 400).
    app = Fastify({ onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore' });
    app.post('/sse', async (request, reply) => {
      const { payloads, ending } = request.body as Script;
      const sse = new SseStream(reply, () => ({ 'x-request-id': 'sse-property' }));
      for (const payload of payloads) sse.send(payload as object);
      if (ending === 'done') sse.done();
      else sse.fail(failure);
      return reply;
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('frames arbitrary chunks so that a standard parser and the openai client recover exactly what was written', async () => {
    await fc.assert(
      fc.asyncProperty(script, fc.array(fc.nat({ max: 20_000 }), { maxLength: 30 }), async ({ payloads, ending }, cuts) => {
        const response = await app.inject({ method: 'POST', url: '/sse', payload: { payloads, ending } });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        const expected = [...payloads.map((payload) => JSON.stringify(payload)), ending === 'done' ? '[DONE]' : JSON.stringify(failure)];
        const pieces = splitBytes(new Uint8Array(response.rawPayload), cuts);

        const standard = parseEventStream(pieces);
        expect(standard.map((event) => event.data)).toEqual(expected);
        expect(standard.every((event) => event.event === 'message')).toBe(true);

        const client = await parseWithOpenAiClient(pieces);
        expect(client.map((event) => event.data)).toEqual(expected);
        expect(client.every((event) => event.event === null)).toBe(true);
        // Every frame is one line: nothing inside a chunk can end the frame or start a field.
        expect(response.body.split('\n\n').filter(Boolean).every((frame) => /^data: [^\r\n]*$/.test(frame))).toBe(true);
      }),
      { numRuns: 250 },
    );
  });
});
