import { httpStatusForIdentityError, IdentityError, IdentityErrorCode, wwwAuthenticateFor } from './identity.errors';

describe(IdentityError.name, () => {
  it('gives every code a status and a message that names no key', () => {
    for (const code of Object.values(IdentityErrorCode)) {
      const error = new IdentityError(code, undefined, { keyId: 'k1' });
      expect([400, 401, 403, 404, 429, 503]).toContain(httpStatusForIdentityError(code));
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.message).not.toContain('k1');
    }
  });

  it('challenges per RFC 6750', () => {
    expect(wwwAuthenticateFor(IdentityErrorCode.Unauthenticated)).toBe('Bearer realm="attest"');
    expect(wwwAuthenticateFor(IdentityErrorCode.KeyRevoked)).toBe('Bearer realm="attest", error="invalid_token"');
    expect(wwwAuthenticateFor(IdentityErrorCode.ModelNotInScope)).toBe('Bearer realm="attest", error="insufficient_scope"');
    expect(wwwAuthenticateFor(IdentityErrorCode.Forbidden)).toBeUndefined();
  });
});

describe('rate limit refusals', () => {
  it('answer 429 and carry the seconds until the window ends', () => {
    const error = new IdentityError(IdentityErrorCode.RateLimited, undefined, { retryAfterSeconds: 17 });
    expect(error.httpStatus).toBe(429);
    expect(error.retryAfterSeconds).toBe(17);
  });
});
