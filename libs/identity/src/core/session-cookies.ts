import { SESSION_COOKIE_NAME } from './credentials';

/** Holds the login's `state` between /auth/login and /auth/callback, binding the callback to this browser. */
export const LOGIN_COOKIE_NAME = '__Host-attest_login';

/** Holds the `state` of an admin's SSO test login: its callback opens no session (see SsoTestLoginService). */
export const TEST_LOGIN_COOKIE_NAME = '__Host-attest_test_login';

/**
 * HttpOnly (no script reads it), Secure and `__Host-` (this origin over HTTPS only; browsers treat localhost as
 * secure), SameSite=Lax: the IdP's redirect back is a cross-site top-level GET, which Strict would strip, while Lax
 * still keeps the cookie off cross-site POSTs (RFC 6265bis §8.8).
 */
function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}

export function sessionCookie(token: string, ttlMs: number): string {
  return cookie(SESSION_COOKIE_NAME, token, Math.floor(ttlMs / 1000));
}

export function loginCookie(state: string): string {
  return cookie(LOGIN_COOKIE_NAME, state, 600);
}

export function testLoginCookie(state: string): string {
  return cookie(TEST_LOGIN_COOKIE_NAME, state, 600);
}

export function clearedCookie(name: string): string {
  return cookie(name, '', 0);
}
