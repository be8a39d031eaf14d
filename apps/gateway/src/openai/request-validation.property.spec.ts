import { chatCompletionRequestSchema, completionRequestSchema, embeddingRequestSchema, openAiErrorSchema } from '@attest/contracts';
import fc from 'fast-check';
import { toErrorResponse } from '../errors/error-response';
import { RequestValidationError, ZodBodyPipe } from './request-validation';

// Property tests of body validation as the controllers run it: whatever JSON arrives, the pipe returns a typed request
// or throws RequestValidationError, and that error becomes a 400 in OpenAI's shape that quotes none of the client's
// values (a reflected value is an injection vector into logs and UIs) and carries no stack trace.
const pipes = [
  ['chat', new ZodBodyPipe(chatCompletionRequestSchema)],
  ['completion', new ZodBodyPipe(completionRequestSchema)],
  ['embedding', new ZodBodyPipe(embeddingRequestSchema)],
] as const;

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
/** A client string, fenced by « » so a reflection of it in an error message is easy to spot. */
const marked = fc.string({ unit: anyCodeUnit, minLength: 1, maxLength: 24 }).map((text) => `«${text}»`);
const markedJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    marked,
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('role', 'content', 'type', 'text', 'model', 'messages', 'prompt', 'input', 'stop', 'json_schema', 'response_format', 'name', 'x'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Request-shaped bodies: the right keys, with marked strings and odd values in them. */
const requestShaped = fc.record(
  {
    model: fc.oneof(marked, markedJson),
    messages: fc.oneof(fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'system'), marked), content: markedJson }), { maxLength: 3 }), markedJson),
    prompt: markedJson,
    input: markedJson,
    stop: markedJson,
    max_tokens: markedJson,
    response_format: fc.oneof(fc.record({ type: fc.constantFrom('json_schema', 'text', 'json_object'), json_schema: markedJson }), markedJson),
    encoding_format: markedJson,
    n: markedJson,
  },
  { requiredKeys: [] },
);

const stackFrame = /\n\s+at .+\(.+:\d+:\d+\)/;

describe('request validation properties', () => {
  it.each(pipes)('%s: any JSON body gives a typed request or a clean 400 in OpenAI’s shape that quotes no client value', (_name, pipe) => {
    fc.assert(
      fc.property(fc.oneof(markedJson, requestShaped), (body) => {
        let thrown: unknown;
        try {
          pipe.transform(body);
          return;
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(RequestValidationError);
        const response = toErrorResponse(thrown);
        expect(response.status).toBe(400);
        const parsed = openAiErrorSchema.strict().safeParse(response.body);
        expect(parsed.error).toBeUndefined();
        expect(response.body.error.type).toBe('invalid_request_error');
        expect(['missing_required_parameter', 'invalid_value', 'invalid_body']).toContain(response.body.error.code);
        expect(response.body.error.message).not.toMatch(stackFrame);
        expect(response.body.error.message).not.toContain('«');
        expect(response.body.error.param ?? '').not.toContain('«');
        expect(response.body.error.message.length).toBeLessThan(400);
      }),
      { numRuns: 400 },
    );
  });
});
