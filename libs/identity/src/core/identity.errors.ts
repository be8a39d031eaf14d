/**
 * Stable codes for everything identity refuses. Messages are generic on purpose: none of them tells a caller whether
 * a key, a user or a session exists (OWASP ASVS 2.2.1, uniform authentication failures).
 */
export enum IdentityErrorCode {
  /** No credential, an unknown or malformed one, a wrong secret: one code so nothing about existence leaks. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** The key is genuine (its secret matched) but past its expiry. */
  KeyExpired = 'KEY_EXPIRED',
  /** The key is genuine (its secret matched) but revoked. */
  KeyRevoked = 'KEY_REVOKED',
  /** The bearer token is signed and well-formed, but expired (RFC 6750 §3.1 `invalid_token`). */
  TokenExpired = 'TOKEN_EXPIRED',
  /** The principal behind a valid credential is deactivated. */
  PrincipalDisabled = 'PRINCIPAL_DISABLED',
  /** Authenticated, but no role allows the act. */
  Forbidden = 'FORBIDDEN',
  /** Authenticated, but the IdP's groups and claims match no role-mapping rule (deny by default). */
  NoRoleMapped = 'NO_ROLE_MAPPED',
  /** The credential is scoped to other actions. */
  ActionNotInScope = 'ACTION_NOT_IN_SCOPE',
  /** The credential is scoped to other models. */
  ModelNotInScope = 'MODEL_NOT_IN_SCOPE',
  /** A create/rotate/revoke request that cannot be honoured (bad name, role, scope or expiry). */
  InvalidKeyRequest = 'INVALID_KEY_REQUEST',
  /** The key to rotate or revoke does not exist in this tenant (admin API only; never on authentication). */
  KeyNotFound = 'KEY_NOT_FOUND',
  /** The principal to deactivate or reactivate does not exist in this tenant (admin API only). */
  PrincipalNotFound = 'PRINCIPAL_NOT_FOUND',
  /** A portal login callback that does not match a pending login (state, PKCE or IdP error). */
  LoginFailed = 'LOGIN_FAILED',
  /** The identity provider could not be reached or answered nonsense. */
  IdpUnavailable = 'IDP_UNAVAILABLE',
  /** Single sign-on was asked for, but no IdP client is configured (ATTEST_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET). */
  SsoNotConfigured = 'SSO_NOT_CONFIGURED',
  /** Too many sign-in or key administration requests from one source in the current window. */
  RateLimited = 'RATE_LIMITED',
  /** The act needs a portal session (the SSO test login is bound to one); an API key or bearer token is not enough. */
  SessionRequired = 'SESSION_REQUIRED',
  /** No SSO test login result under that id for this session (expired, or another session's). */
  TestLoginNotFound = 'TEST_LOGIN_NOT_FOUND',
}

/** The HTTP status each code suggests; the gateway's error filter owns the final mapping. */
export function httpStatusForIdentityError(code: IdentityErrorCode): number {
  switch (code) {
    case IdentityErrorCode.Unauthenticated:
    case IdentityErrorCode.KeyExpired:
    case IdentityErrorCode.KeyRevoked:
    case IdentityErrorCode.TokenExpired:
    case IdentityErrorCode.PrincipalDisabled:
      return 401;
    case IdentityErrorCode.Forbidden:
    case IdentityErrorCode.NoRoleMapped:
    case IdentityErrorCode.ActionNotInScope:
    case IdentityErrorCode.ModelNotInScope:
      return 403;
    case IdentityErrorCode.InvalidKeyRequest:
    case IdentityErrorCode.LoginFailed:
    case IdentityErrorCode.SessionRequired:
      return 400;
    case IdentityErrorCode.KeyNotFound:
    case IdentityErrorCode.PrincipalNotFound:
    case IdentityErrorCode.SsoNotConfigured:
    case IdentityErrorCode.TestLoginNotFound:
      return 404;
    case IdentityErrorCode.IdpUnavailable:
      return 503;
    case IdentityErrorCode.RateLimited:
      return 429;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

const defaultMessages: Record<IdentityErrorCode, string> = {
  [IdentityErrorCode.Unauthenticated]: 'Authentication required: send a valid API key or access token.',
  [IdentityErrorCode.KeyExpired]: 'This API key has expired.',
  [IdentityErrorCode.KeyRevoked]: 'This API key has been revoked.',
  [IdentityErrorCode.TokenExpired]: 'The access token has expired.',
  [IdentityErrorCode.PrincipalDisabled]: 'This account is deactivated.',
  [IdentityErrorCode.Forbidden]: 'Your role does not allow this.',
  [IdentityErrorCode.NoRoleMapped]: 'Your identity provider groups grant no role in Attest.',
  [IdentityErrorCode.ActionNotInScope]: 'This credential is not allowed to perform this action.',
  [IdentityErrorCode.ModelNotInScope]: 'This credential is not allowed to use this model.',
  [IdentityErrorCode.InvalidKeyRequest]: 'The API key request is invalid.',
  [IdentityErrorCode.KeyNotFound]: 'No such API key.',
  [IdentityErrorCode.PrincipalNotFound]: 'No such principal.',
  [IdentityErrorCode.LoginFailed]: 'The sign-in could not be completed; start again.',
  [IdentityErrorCode.IdpUnavailable]: 'The identity provider is unavailable.',
  [IdentityErrorCode.SsoNotConfigured]:
    'Single sign-on is not configured (ATTEST_OIDC_ISSUER, ATTEST_OIDC_CLIENT_ID, ATTEST_OIDC_CLIENT_SECRET); sign in with an API key.',
  [IdentityErrorCode.RateLimited]: 'Too many attempts; wait and try again.',
  [IdentityErrorCode.SessionRequired]: 'Start this from the portal while signed in (a session); an API key or access token cannot.',
  [IdentityErrorCode.TestLoginNotFound]: 'No such test login: results are kept for 5 minutes and only for the session that started it. Run it again.',
};

/**
 * What identity throws. `code` is stable; `message` is safe to show to the caller.
 *
 * @example
 * throw new IdentityError(IdentityErrorCode.ModelNotInScope);
 */
export class IdentityError extends Error {
  /** The genuine key a refusal concerns (expired, revoked), for the audit event; never shown to the caller. */
  readonly keyId?: string;
  /** For RATE_LIMITED: seconds until the caller may try again (the Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: IdentityErrorCode,
    message: string = defaultMessages[code],
    options?: { cause?: unknown; keyId?: string; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'IdentityError';
    if (options?.keyId) this.keyId = options.keyId;
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get httpStatus(): number {
    return httpStatusForIdentityError(this.code);
  }
}

/**
 * The `WWW-Authenticate` value for a refusal (RFC 6750 §3): every 401 names the Bearer scheme; a credential that was
 * presented but is no longer good says `invalid_token`; a scope refusal says `insufficient_scope`.
 *
 * @example
 * const challenge = wwwAuthenticateFor(error); // 'Bearer realm="attest", error="invalid_token"'
 */
export function wwwAuthenticateFor(code: IdentityErrorCode): string | undefined {
  if (INVALID_TOKEN.has(code)) return 'Bearer realm="attest", error="invalid_token"';
  if (INSUFFICIENT_SCOPE.has(code)) return 'Bearer realm="attest", error="insufficient_scope"';
  return httpStatusForIdentityError(code) === 401 ? 'Bearer realm="attest"' : undefined;
}

const INVALID_TOKEN: ReadonlySet<IdentityErrorCode> = new Set([IdentityErrorCode.KeyExpired, IdentityErrorCode.KeyRevoked, IdentityErrorCode.TokenExpired]);
const INSUFFICIENT_SCOPE: ReadonlySet<IdentityErrorCode> = new Set([IdentityErrorCode.ActionNotInScope, IdentityErrorCode.ModelNotInScope]);
