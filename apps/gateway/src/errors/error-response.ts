import { DatabaseError, DatabaseErrorCode, isDatabaseUnavailable } from '@attest/db';
import { openAiError, type OpenAiError } from '@attest/contracts';
import { AuditError } from '@attest/audit/nest';
import { GovernanceError } from '@attest/governance';
import { PiiError } from '@attest/pii';
import { PolicyError, QuotaError } from '@attest/policy';
import { httpStatusForIdentityError, IdentityError, wwwAuthenticateFor } from '@attest/identity';
import { InferenceError } from '@attest/inference';
import { httpStatusForRegistryError, RegistryError } from '@attest/registry';
import { HttpException } from '@nestjs/common';
import { AuditJobError } from '../admin/audit-job.errors';
import { RequestValidationError } from '../openai/request-validation';
import {
  statusForAudit,
  statusForAuditJob,
  statusForGovernance,
  statusForInference,
  statusForPii,
  statusForPolicy,
} from './domain-error-status';

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
    case 408:
      return build(408, 'The request was not received in time; the connection is closed.', 'request_timeout');
    case 413:
      return build(413, 'The request body is larger than this server accepts.', 'body_too_large');
    case 431:
      return build(431, 'The request headers are larger than this server accepts.', 'headers_too_large');
    case 415:
      return build(415, 'Send the request body as application/json.', 'unsupported_media_type');
    case 401:
      return build(401, message, 'unauthenticated');
    case 403:
      return build(403, message, 'forbidden');
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
  if (error instanceof RequestValidationError) return build(400, error.message, error.code, error.param);
  if (error instanceof IdentityError) {
    const response = build(httpStatusForIdentityError(error.code), error.message, error.code);
    const challenge = wwwAuthenticateFor(error.code);
    if (challenge) response.headers = { 'www-authenticate': challenge };
    if (error.retryAfterSeconds !== undefined) response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds) };
    return response;
  }
  if (error instanceof RegistryError) return build(httpStatusForRegistryError(error.code), publicMessage(error), error.code, 'model');
  if (error instanceof GovernanceError) return build(statusForGovernance(error.code), error.message, error.code);
  if (error instanceof InferenceError) {
    const response = build(statusForInference(error.code), publicMessage(error), error.code);
    if (error.retryAfterSeconds !== undefined) response.headers = { 'retry-after': String(error.retryAfterSeconds) };
    return response;
  }
  if (error instanceof AuditError) {
    const status = statusForAudit(error.code);
    const message = status === 503 ? 'The audit log cannot record this request right now, so it was refused.' : status === 400 ? 'The request holds text that cannot be recorded faithfully (for example a lone UTF-16 surrogate).' : error.message;
    return build(status, message, error.code);
  }
  if (error instanceof AuditJobError) return build(statusForAuditJob(error.code), error.message, error.code);
  if (error instanceof PiiError) {
    const status = statusForPii(error.code);
    return build(status, status === 413 ? 'The text is too long to inspect for personal data.' : 'Personal-data inspection failed, so the request was refused.', error.code);
  }
  if (error instanceof QuotaError) {
    const response = build(429, error.message, error.code);
    response.headers = { 'retry-after': String(error.retryAfterSeconds) };
    return response;
  }
  if (error instanceof PolicyError) return build(statusForPolicy(error.code), error.message, error.code);
  if (error instanceof DatabaseError) return fromDatabaseError(error);
  if (error instanceof HttpException) return fromHttpException(error);
  // Fastify's own refusals (body parsing, body limit, media type) happen before Nest sees the request.
  if (isFastifyClientError(error)) return fromHttpException(new HttpException(error.message, error.statusCode));
  // A read that found the database down (authentication, model lookup) refuses like a failed audit commit: 503.
  if (isDatabaseUnavailable(error)) return build(503, 'The database is unavailable; nothing was served.', DatabaseErrorCode.Unreachable);
  return build(500, 'Internal error; the request was not completed.', 'internal_error');
}

/** A Fastify error (`FST_ERR_*`) that refuses the client's request with a 4xx status. */
function isFastifyClientError(error: unknown): error is Error & { statusCode: number } {
  if (!(error instanceof Error)) return false;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/** Server-side failures may name files or hosts: clients get a plain sentence, the log keeps the detail. */
function publicMessage(error: RegistryError | InferenceError): string {
  const status = error instanceof RegistryError ? httpStatusForRegistryError(error.code) : statusForInference(error.code);
  return status >= 500 ? 'The model is unavailable right now; nothing was served.' : error.message;
}
