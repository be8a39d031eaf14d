import { type ChatCompletionRequest, type CompletionRequest, messageText, type ResponseFormat } from '@attest/contracts';
import { Stopwatch } from '@attest/governance';
import type { Principal } from '@attest/identity';
import type { ChatMessage } from '@attest/inference';
import type { FastifyRequest } from 'fastify';
import type { GenerationCall } from './completion-responder';
import { requestMetaOf } from './request-meta';

function stopList(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : stop;
}

/** `json_object` asks only for some JSON object; `json_schema` for one that validates against the given schema. */
export function jsonSchemaOf(format: ResponseFormat | undefined): Record<string, unknown> | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  return format.json_schema.schema;
}

/** OpenAI's `developer` role is a system message for every model this gateway serves. */
function toChatMessage(message: ChatCompletionRequest['messages'][number]): ChatMessage {
  return { role: message.role === 'developer' ? 'system' : message.role, content: messageText(message.content) };
}

export function chatCall(body: ChatCompletionRequest, principal: Principal, request: FastifyRequest): GenerationCall {
  return {
    stopwatch: new Stopwatch(),
    principal,
    meta: requestMetaOf(request),
    action: 'chat',
    model: body.model,
    messages: body.messages.map(toChatMessage),
    maxTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    seed: body.seed,
    stop: stopList(body.stop),
    jsonSchema: jsonSchemaOf(body.response_format),
  };
}

export function completionCall(body: CompletionRequest, principal: Principal, request: FastifyRequest): GenerationCall {
  return {
    stopwatch: new Stopwatch(),
    principal,
    meta: requestMetaOf(request),
    action: 'completion',
    model: body.model,
    prompt: typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? ''),
    // OpenAI's legacy completions default to 16 tokens.
    maxTokens: body.max_tokens ?? 16,
    temperature: body.temperature,
    topP: body.top_p,
    seed: body.seed,
    stop: stopList(body.stop),
  };
}

export function framingOf(body: { model: string; stream?: boolean | null; stream_options?: { include_usage?: boolean } | null }) {
  return { stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true, model: body.model };
}
