import { DatabaseError, DatabaseErrorCode } from '@attest/db';
import { openAiError, type OpenAiError } from '@attest/contracts';
import { HttpException } from '@nestjs/common';

export interface ErrorResponse {
  status: number;
  body: OpenAiError;
  headers?: Record<string, string>;
}

/** OpenAI's error `type` for each HTTP status, so SDKs raise the matching exception class. */
function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function build(status: number, message: string, code: string, param: string | null = null): ErrorResponse {
  return { status, body: openAiError(message, typeForStatus(status), code, param) };
}

function fromDatabaseError(error: DatabaseError): ErrorResponse {
  switch (error.code) {
    case DatabaseErrorCode.Unreachable:
    case DatabaseErrorCode.SchemaTooNew:
    case DatabaseErrorCode.EmbeddedStartFailed:
    case DatabaseErrorCode.DataDirUnusable:
      // The message may name hosts or folders: keep it in the server log, not the response.
      return build(503, 'The database is unavailable; nothing was served.', error.code);
    default: {
      const unreachable: never = error.code;
      return build(500, 'Internal error.', String(unreachable));
    }
  }
}

/** Nest turns Fastify's body-parser errors into HttpExceptions carrying only status and message. */
function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? String((response as { message: unknown }).message)
      : error.message;
  switch (status) {
    case 404:
      return build(404, message, 'not_found');
    case 413:
      return build(413, 'The request body is larger than this server accepts.', 'body_too_large');
    case 415:
      return build(415, 'Send the request body as application/json.', 'unsupported_media_type');
    default:
      if (status === 400 && /json/i.test(message)) return build(400, 'The request body is not valid JSON.', 'invalid_json');
      return build(status, message, status >= 500 ? 'internal_error' : 'bad_request');
  }
}

/**
 * The one place where a thrown value becomes an HTTP answer. Unknown errors become a bare 500: stack traces and
 * internal messages never reach the client.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DatabaseError) return fromDatabaseError(error);
  if (error instanceof HttpException) return fromHttpException(error);
  return build(500, 'Internal error; the request was not completed.', 'internal_error');
}
