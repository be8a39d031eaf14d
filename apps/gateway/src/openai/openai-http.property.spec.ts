import { openAiErrorSchema } from '@attest/contracts';
import fc from 'fast-check';
import { startTestGateway, type GatewayHarness } from '../../test/gateway-harness';

// Property tests of the HTTP layer, on the whole gateway with a real database: whatever bytes, JSON or content type a
// client sends to the OpenAI routes, the answer is never a 5xx, and every refusal is OpenAI's error shape
// `{error:{message,type,param,code}}` with no stack trace in it.

const routes = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings'] as const;
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const hostileString = fc.oneof(
  fc.string({ unit: anyCodeUnit, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('\u0000', 'stories260k\u0000', '\ud800', "' OR 1=1 --", '%00', '../../etc/passwd', 'stories260k', 'a'.repeat(257)),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });
/** Requests close to valid: the model name, the messages and limits are where the hostile values go. */
const requestShaped = fc.record(
  {
    model: fc.oneof(hostileString, anyJson),
    messages: fc.oneof(fc.array(fc.record({ role: fc.constantFrom('user', 'system', 'assistant', 'tool'), content: fc.oneof(hostileString, anyJson) }), { maxLength: 3 }), anyJson),
    prompt: fc.oneof(hostileString, anyJson),
    input: fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 }), anyJson),
    max_tokens: fc.oneof(fc.integer({ min: -2, max: 3 }), anyJson),
    stream: fc.oneof(fc.boolean(), anyJson),
    n: fc.oneof(fc.constant(1), anyJson),
  },
  { requiredKeys: [] },
);
const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonp',
  'APPLICATION/JSON',
  '',
);
const stackFrame = /\bat .+:\d+:\d+/;

describe('the OpenAI routes under arbitrary input', () => {
  let sut: GatewayHarness;
  let authorization: string;

  beforeAll(async () => {
    sut = await startTestGateway({ bodyLimitBytes: 64 * 1024 });
    authorization = `Bearer ${await sut.issueKey({ name: 'property', roles: ['developer'] })}`;
  });
  afterAll(() => sut.close());

  /** Every answer below 200..299 is OpenAI's error shape, no status is 5xx, and no stack frame is shown. */
  function expectCleanAnswer(response: { statusCode: number; body: string; headers: Record<string, unknown> }): void {
    expect(response.statusCode).toBeLessThan(500);
    expect(response.body).not.toMatch(stackFrame);
    if (response.statusCode < 300) return;
    const parsed = openAiErrorSchema.strict().safeParse(JSON.parse(response.body));
    expect(parsed.error).toBeUndefined();
    expect(parsed.data?.error.message.length).toBeGreaterThan(0);
    expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  }

  it('answers any JSON value or request-shaped body without a 5xx, and refusals in OpenAI’s error shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(anyJson, requestShaped), async (url, body) => {
        const response = await sut.app.inject({
          method: 'POST',
          url,
          headers: { authorization, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expectCleanAnswer(response);
      }),
      { numRuns: 150 },
    );
  });

  it('answers arbitrary bytes under any content type without a 5xx, and refusals in OpenAI’s error shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), contentTypes, fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.string({ unit: anyCodeUnit, maxLength: 128 }).map((text) => Buffer.from(text))), async (url, contentType, payload) => {
        const response = await sut.app.inject({
          method: 'POST',
          url,
          headers: { authorization, ...(contentType ? { 'content-type': contentType } : {}) },
          payload: Buffer.from(payload),
        });
        expectCleanAnswer(response);
      }),
      { numRuns: 150 },
    );
  });

  it('answers any JSON schema in response_format with an answer or a 4xx, never a 5xx (the grammar is built from it)', async () => {
    const schemaKeys = fc.constantFrom('type', 'properties', 'items', 'required', 'enum', 'const', '$ref', '$defs', 'anyOf', 'oneOf', 'allOf', 'pattern', 'format', 'minItems', 'maxItems', 'additionalProperties', 'prefixItems', 'minLength');
    const schemaValue = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('object', 'string', 'array', 'number', 'integer', 'boolean', 'null', '#', '#/$defs/a', '(a+)+$', 'date-time', -1, 0, 3, 1e9, true, false, null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(schemaKeys, fc.constantFrom('a', 'b')), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const schema = fc.dictionary(schemaKeys, schemaValue, { maxKeys: 4 });
    // node-llama-cpp warns on the console about every reference it cannot resolve: expected here, and noisy.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await fc.assert(
      fc.asyncProperty(schema, async (jsonSchema) => {
        const response = await sut.app.inject({
          method: 'POST',
          url: '/v1/chat/completions',
          headers: { authorization, 'content-type': 'application/json' },
          payload: JSON.stringify({
            model: 'stories260k',
            messages: [{ role: 'user', content: 'Describe a cat.' }],
            max_tokens: 2,
            response_format: { type: 'json_schema', json_schema: { name: 'property', schema: jsonSchema } },
          }),
        });
        expectCleanAnswer(response);
      }),
      { numRuns: 60 },
    ).finally(() => warn.mockRestore());
  });

  it('refuses any body without a valid key with 401 in OpenAI’s error shape, before looking at it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(anyJson, requestShaped), fc.option(hostileString.map((key) => `Bearer ${key}`)), async (url, body, header) => {
        const response = await sut.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', ...(header === null ? {} : { authorization: header.replace(/[\r\n]/g, '') }) },
          payload: JSON.stringify(body),
        });
        expectCleanAnswer(response);
        // Fastify's parser refuses prototype-poisoning keys (`__proto__`, `constructor.prototype`) while reading the
        // body, before any route runs: 400, and still nothing about the caller or the model is revealed.
        const poisoned = /"(__proto__|constructor)":/.test(JSON.stringify(body));
        expect(response.statusCode).toBe(poisoned && response.statusCode === 400 ? 400 : 401);
      }),
      { numRuns: 100 },
    );
  });
});
