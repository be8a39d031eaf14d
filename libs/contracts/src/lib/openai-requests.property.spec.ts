import fc from 'fast-check';
import { type z } from 'zod';
import {
  chatCompletionRequestSchema,
  completionRequestSchema,
  embeddingRequestSchema,
  LIMITS,
  messageText,
  nestingDepth,
} from './openai-requests';

// Property tests of the request schemas: any JSON a client can send is either a typed request within the documented
// limits or a list of issues; parsing never throws, never keeps fields it does not know, never pollutes prototypes.
const runs = { numRuns: 300 };

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const hostileString = fc.oneof(fc.string({ unit: anyCodeUnit, maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', '\u0000', '\ud800', 'a'.repeat(300)));
const anyJson = fc.jsonValue({ maxDepth: 5 });

const validModel = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const validMessage = fc.record(
  {
    role: fc.constantFrom('system', 'developer', 'user', 'assistant'),
    content: fc.oneof(hostileString, fc.array(fc.record({ type: fc.constant('text'), text: hostileString }), { minLength: 1, maxLength: 3 })),
    name: fc.string({ maxLength: 64 }),
  },
  { requiredKeys: ['role', 'content'] },
);
const validStop = fc.oneof(fc.string({ maxLength: 256 }), fc.array(fc.string({ minLength: 1, maxLength: 16 }), { maxLength: 4 }), fc.constant(null));
const sampling = {
  max_tokens: fc.oneof(fc.integer({ min: 1, max: LIMITS.maxTokens }), fc.constant(null)),
  temperature: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant(null)),
  top_p: fc.oneof(fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }), fc.constant(null)),
  seed: fc.oneof(fc.integer(), fc.constant(null)),
  stop: validStop,
  n: fc.constantFrom(1, null),
  stream: fc.oneof(fc.boolean(), fc.constant(null)),
  stream_options: fc.oneof(fc.record({ include_usage: fc.boolean() }, { requiredKeys: [] }), fc.constant(null)),
  user: fc.string({ maxLength: 256 }),
};

const validChat = fc.record(
  { model: validModel, messages: fc.array(validMessage, { minLength: 1, maxLength: 5 }), ...sampling, max_completion_tokens: sampling.max_tokens },
  { requiredKeys: ['model', 'messages'] },
);
const validCompletion = fc.record(
  { model: validModel, prompt: fc.oneof(hostileString, fc.tuple(hostileString)), ...sampling, echo: fc.constantFrom(false, null) },
  { requiredKeys: ['model', 'prompt'] },
);
const validEmbedding = fc.record(
  { model: validModel, input: fc.oneof(hostileString, fc.array(hostileString, { minLength: 1, maxLength: 8 })), encoding_format: fc.constantFrom('float', 'base64') },
  { requiredKeys: ['model', 'input'] },
);

/** Each field valid most of the time, any JSON otherwise, any field possibly missing, and extra keys now and then. */
function nearlyValid(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(valid, fc.dictionary(fc.constantFrom('model', 'messages', 'prompt', 'input', 'max_tokens', 'n', 'tools', 'stream', 'stop', 'logprobs', 'suffix', 'dimensions', '__proto__', 'constructor', 'extra'), anyJson, { maxKeys: 3 }))
    .map(([request, overrides]) => ({ ...request, ...overrides }));
}

const schemas: [string, z.ZodType, fc.Arbitrary<Record<string, unknown>>, readonly string[]][] = [
  ['chat', chatCompletionRequestSchema, validChat, Object.keys(chatCompletionRequestSchema.shape)],
  ['completion', completionRequestSchema, validCompletion, Object.keys(completionRequestSchema.shape)],
  ['embedding', embeddingRequestSchema, validEmbedding, Object.keys(embeddingRequestSchema.shape)],
];

/** A parse result is either data or a non-empty list of issues with a message and a path of keys and indices. */
function expectCleanOutcome(result: z.ZodSafeParseResult<unknown>): void {
  if (result.success) return;
  expect(result.error.issues.length).toBeGreaterThan(0);
  for (const issue of result.error.issues) {
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
    for (const key of issue.path) expect(['string', 'number']).toContain(typeof key);
  }
}

describe.each(schemas)('the %s request schema', (_name, schema, valid, knownKeys) => {
  it('parses any JSON value into data or issues, never an exception', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        expectCleanOutcome(schema.safeParse(value));
      }),
      runs,
    );
  });

  it('accepts every valid request, with unknown fields ignored as OpenAI does', () => {
    fc.assert(
      fc.property(valid, fc.dictionary(fc.string({ maxLength: 12 }).map((key) => `x_${key}`), anyJson, { maxKeys: 3 }), (request, extra) => {
        const result = schema.safeParse({ ...extra, ...request });
        expect(result.error?.issues).toBeUndefined();
        expect(Object.keys(result.data as object).every((key) => knownKeys.includes(key))).toBe(true);
      }),
      runs,
    );
  });

  it('parses nearly valid requests cleanly; what it accepts is within the limits and parses again to itself', () => {
    fc.assert(
      fc.property(nearlyValid(valid), (value) => {
        const result = schema.safeParse(value);
        expectCleanOutcome(result);
        if (!result.success) return;
        const data = result.data as Record<string, unknown>;
        expect(Object.keys(data).every((key) => knownKeys.includes(key))).toBe(true);
        expect(schema.parse(data)).toEqual(data);
        expect(typeof data['model']).toBe('string');
        expect((data['model'] as string).length).toBeLessThanOrEqual(LIMITS.maxModelNameLength);
        expect([undefined, null, 1]).toContain(data['n']);
        expect(data['tools']).toBeUndefined();
      }),
      runs,
    );
  });
});

describe('request parsing and prototypes', () => {
  it('never pollutes Object.prototype through a __proto__, constructor or prototype key', () => {
    fc.assert(
      fc.property(validChat, fc.constantFrom('__proto__', 'constructor', 'prototype'), (request, key) => {
        const body = JSON.parse(
          JSON.stringify(request).replace(/^\{/, `{"${key}":{"polluted":true,"prototype":{"polluted":true}},`),
        ) as unknown;
        chatCompletionRequestSchema.safeParse(body);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('flattens any accepted message content to a string', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        const parsed = chatCompletionRequestSchema.parse({ model: 'm', messages: [message] });
        expect(typeof messageText(parsed.messages[0]!.content)).toBe('string');
      }),
      runs,
    );
  });

  it('accepts a response_format schema exactly when it nests no deeper than the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * LIMITS.maxJsonSchemaDepth }), fc.boolean(), (depth, viaArrays) => {
        let schema: Record<string, unknown> = { type: 'string' };
        for (let level = 1; level < depth; level++) schema = viaArrays ? { anyOf: [schema] } : { items: schema };
        const result = chatCompletionRequestSchema.safeParse({
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          response_format: { type: 'json_schema', json_schema: { name: 'deep', schema } },
        });
        expectCleanOutcome(result);
        expect(result.success).toBe(nestingDepth(schema, Number.MAX_SAFE_INTEGER) <= LIMITS.maxJsonSchemaDepth);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses the messages limit plus one, and 100k-level nesting in content or schema, with issues rather than recursion', () => {
    const many = Array.from({ length: LIMITS.maxMessages + 1 }, () => ({ role: 'user', content: 'x' }));
    expectCleanOutcome(chatCompletionRequestSchema.safeParse({ model: 'm', messages: many }));
    expect(chatCompletionRequestSchema.safeParse({ model: 'm', messages: many }).success).toBe(false);
    let nested: unknown = 'x';
    for (let depth = 0; depth < 100_000; depth++) nested = [nested];
    const deep = chatCompletionRequestSchema.safeParse({ model: 'm', messages: [{ role: 'user', content: nested }] });
    expect(deep.success).toBe(false);
    let schema: Record<string, unknown> = { type: 'string' };
    for (let depth = 0; depth < 100_000; depth++) schema = { items: schema };
    const format = { type: 'json_schema', json_schema: { name: 'deep', schema } };
    const deepSchema = chatCompletionRequestSchema.safeParse({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: format });
    expect(deepSchema.error?.issues[0]?.path).toEqual(['response_format', 'json_schema', 'schema']);
  });
});
