import { API_KEY_PREFIX } from './api-key-format';

export type PresentedCredential =
  | { kind: 'api_key'; value: string }
  | { kind: 'bearer_token'; value: string }
  | { kind: 'session'; value: string }
  | { kind: 'none' };

/** `__Host-` binds the cookie to this origin: Secure, Path=/ and no Domain are required (RFC 6265bis §4.1.3.2). */
export const SESSION_COOKIE_NAME = '__Host-attest_session';

/** Reads one cookie's value from a Cookie header (RFC 6265 §5.4). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/**
 * Which credential a request carries. An Authorization header wins over a cookie: API clients never hold the portal
 * cookie, and a header cannot be sent cross-site by a browser without CORS consent.
 *
 * @example
 * presentedCredential({ authorization: 'Bearer atk_…' }) // { kind: 'api_key', value: 'atk_…' }
 */
export function presentedCredential(headers: { authorization?: string; cookie?: string }): PresentedCredential {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    // RFC 6750 §2.1: the scheme is case-insensitive; one space, then the token.
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return { kind: 'bearer_token', value: '' };
    const value = match[1];
    return value.startsWith(API_KEY_PREFIX) ? { kind: 'api_key', value } : { kind: 'bearer_token', value };
  }
  const session = readCookie(headers.cookie, SESSION_COOKIE_NAME);
  if (session) return { kind: 'session', value: session };
  return { kind: 'none' };
}
