import { httpStatusForScimError, ScimError, scimErrorBody, type ScimErrorBody, scimTypeFor } from '@attest/identity';
import { toErrorResponse } from './error-response';

export interface ScimErrorResponse {
  status: number;
  body: ScimErrorBody;
  headers: Record<string, string>;
}

/** Requests under /scim/ are answered in SCIM's error shape: IdPs read `status` and `scimType`, not OpenAI's `error`. */
export function isScimRequest(url: string | undefined): boolean {
  return url !== undefined && (url === '/scim' || url.startsWith('/scim/') || url.startsWith('/scim?'));
}

/**
 * RFC 7644 §3.12 error for a SCIM request. ScimError carries its own status and `scimType`; anything else keeps the
 * status (and safe message) the gateway gives it everywhere, so an audit-log outage is still a 503 and an unreadable
 * body is `invalidSyntax`.
 */
export function toScimErrorResponse(error: unknown): ScimErrorResponse {
  const headers: Record<string, string> = { 'content-type': 'application/scim+json; charset=utf-8' };
  if (error instanceof ScimError) {
    const status = httpStatusForScimError(error.code);
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="attest-scim"';
    return { status, body: scimErrorBody(status, error.message, scimTypeFor(error.code)), headers };
  }
  const general = toErrorResponse(error);
  const scimType = general.status === 400 ? (general.body.error.code === 'invalid_json' ? 'invalidSyntax' : 'invalidValue') : undefined;
  // The Bearer challenge of the OpenAI API names another realm; SCIM refusals carry their own.
  const { 'www-authenticate': _challenge, ...kept } = general.headers ?? {};
  return { status: general.status, body: scimErrorBody(general.status, general.body.error.message, scimType), headers: { ...kept, ...headers } };
}
