import { z } from 'zod';

/**
 * OpenAI wire requests as Attest accepts them. Unknown fields are ignored, as OpenAI's own API does, so clients that
 * send newer fields keep working; fields that would change behaviour Attest cannot honour are refused explicitly.
 * Hard limits keep a hostile body from costing unbounded work before policy runs.
 */
export const LIMITS = {
  maxMessages: 512,
  maxStopSequences: 4,
  maxStopLength: 256,
  maxTokens: 32_768,
  maxEmbeddingInputs: 256,
  maxModelNameLength: 256,
  /** Nesting of objects and arrays inside `response_format.json_schema.schema` (a grammar is built from it). */
  maxJsonSchemaDepth: 64,
} as const;

/**
 * How deeply objects and arrays nest in `value`, counted with an explicit stack (a recursive walk is exactly what a
 * hostile, 100k-level document overflows); counting stops once `limit` is passed.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

const modelName = z
  .string({ message: 'model is required and must be a string' })
  .min(1, 'model must not be empty')
  .max(LIMITS.maxModelNameLength, `model must be at most ${LIMITS.maxModelNameLength} characters`);

const temperature = z.number().min(0, 'temperature must be between 0 and 2').max(2, 'temperature must be between 0 and 2');
const topP = z.number().gt(0, 'top_p must be in (0, 1]').max(1, 'top_p must be in (0, 1]');
const seed = z.number().int('seed must be an integer');
const maxTokens = z.number().int('must be an integer').min(1, 'must be at least 1').max(LIMITS.maxTokens, `must be at most ${LIMITS.maxTokens}`);
const stop = z
  .union([
    z.string().max(LIMITS.maxStopLength),
    z.array(z.string().min(1).max(LIMITS.maxStopLength)).max(LIMITS.maxStopSequences, `at most ${LIMITS.maxStopSequences} stop sequences`),
  ])
  .nullable()
  .optional();

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const messageContent = z.union([
  z.string(),
  z.array(textPart, { message: 'only text content parts are supported' }).min(1),
]);

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], { message: 'role must be system, developer, user or assistant' }),
  content: messageContent,
  name: z.string().max(64).optional(),
});

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z
        .record(z.string(), z.unknown())
        .refine((schema) => nestingDepth(schema, LIMITS.maxJsonSchemaDepth) <= LIMITS.maxJsonSchemaDepth, {
          message: `the schema must not nest objects and arrays deeper than ${LIMITS.maxJsonSchemaDepth} levels`,
        }),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const unsupported = (what: string) => z.undefined({ message: `${what} is not supported by this gateway` }).optional();

export const chatCompletionRequestSchema = z.object({
  model: modelName,
  messages: z.array(chatMessageSchema).min(1, 'messages must not be empty').max(LIMITS.maxMessages),
  max_tokens: maxTokens.nullable().optional(),
  max_completion_tokens: maxTokens.nullable().optional(),
  temperature: temperature.nullable().optional(),
  top_p: topP.nullable().optional(),
  seed: seed.nullable().optional(),
  stop,
  n: z.literal(1, { message: 'only n=1 is supported' }).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  response_format: responseFormat.optional(),
  user: z.string().max(256).optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  tools: unsupported('tools'),
  functions: unsupported('functions'),
  logprobs: z.literal(false, { message: 'logprobs is not supported by this gateway' }).nullable().optional(),
});

export const completionRequestSchema = z.object({
  model: modelName,
  prompt: z.union([z.string(), z.array(z.string()).length(1, 'only one prompt per request is supported')]),
  max_tokens: maxTokens.nullable().optional(),
  temperature: temperature.nullable().optional(),
  top_p: topP.nullable().optional(),
  seed: seed.nullable().optional(),
  stop,
  n: z.literal(1, { message: 'only n=1 is supported' }).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  user: z.string().max(256).optional(),
  echo: z.literal(false, { message: 'echo is not supported by this gateway' }).nullable().optional(),
  suffix: z.null({ message: 'suffix is not supported by this gateway' }).optional(),
  logprobs: z.null({ message: 'logprobs is not supported by this gateway' }).optional(),
});

export const embeddingRequestSchema = z.object({
  model: modelName,
  input: z.union([
    z.string(),
    z.array(z.string()).min(1, 'input must not be empty').max(LIMITS.maxEmbeddingInputs, `at most ${LIMITS.maxEmbeddingInputs} inputs`),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: unsupported('dimensions'),
  user: z.string().max(256).optional(),
});

export type ChatMessageInput = z.infer<typeof chatMessageSchema>;
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>;
export type ResponseFormat = z.infer<typeof responseFormat>;

/** Flattens a message's content parts into the text the model sees. */
export function messageText(content: ChatMessageInput['content']): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}
