/** Binds a SAML response to the browser that started the sign-in; its hash is kept with the AuthnRequest id. */
export const SAML_LOGIN_COOKIE_NAME = '__Host-attest_saml';

/**
 * HttpOnly, Secure, `__Host-`, like the OIDC login cookie, but SameSite=None: the IdP returns the browser with a
 * cross-site POST (HTTP-POST binding), on which browsers drop Lax cookies (RFC 6265bis §5.4.7). It holds only a
 * random token, lives ten minutes, and is cleared by the ACS.
 */
function cookie(value: string, maxAgeSeconds: number): string {
  return `${SAML_LOGIN_COOKIE_NAME}=${value}; Path=/; HttpOnly; Secure; SameSite=None; Max-Age=${maxAgeSeconds}`;
}

export function samlLoginCookie(browserToken: string): string {
  return cookie(browserToken, 600);
}

export function clearedSamlLoginCookie(): string {
  return cookie('', 0);
}
