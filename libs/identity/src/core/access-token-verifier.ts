import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { IdentityError, IdentityErrorCode } from './identity.errors';

type JoseModule = typeof Jose;
export type AccessTokenClaims = Jose.JWTPayload & Record<string, unknown>;

export interface AccessTokenVerifierOptions {
  /** Exact `iss` (RFC 9068 §4: compare as a string, no normalisation). */
  issuer: string;
  /** The `aud` value Attest requires. */
  audience: string;
  /** Asymmetric algorithms only; the token's `alg` must be one of them (RFC 8725 §3.1). */
  algorithms: readonly string[];
  /** JWKS URL; when absent it is read from `<issuer>/.well-known/openid-configuration`. */
  jwksUri?: string;
  clockToleranceMs: number;
  /** When set, the JWS `typ` must be `at+jwt` (RFC 9068 §4), so an ID token can never pass as an access token. */
  requireAccessTokenType?: boolean;
  /** Least time between two JWKS refetches triggered by unknown `kid`s (default 30 s). */
  jwksCooldownMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const JOSE_NETWORK_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC']);

/**
 * Validates IdP-issued JWT access tokens against the issuer's JWKS. jose's remote key set refetches the JWKS when a
 * token names an unknown `kid` (IdP key rotation), at most once per cooldown, so a flood of forged kids cannot make
 * Attest hammer the IdP.
 *
 * @example
 * const sut = new AccessTokenVerifier({ issuer, audience: 'attest', algorithms: ['RS256'], clockToleranceMs: 30_000 });
 * const claims = await sut.verify(bearerToken);
 */
export class AccessTokenVerifier {
  private keySet: Promise<{ jose: JoseModule; jwks: ReturnType<JoseModule['createRemoteJWKSet']> }> | undefined;

  constructor(private readonly options: AccessTokenVerifierOptions) {}

  async verify(token: string): Promise<AccessTokenClaims> {
    const { jose, jwks } = await this.loadKeySet();
    try {
      const { payload } = await jose.jwtVerify(token, jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        clockTolerance: Math.round(this.options.clockToleranceMs / 1000),
        requiredClaims: ['exp', 'iat'],
        ...(this.options.requireAccessTokenType ? { typ: 'at+jwt' } : {}),
      });
      return payload as AccessTokenClaims;
    } catch (error) {
      throw this.translate(jose, error);
    }
  }

  private translate(jose: JoseModule, error: unknown): IdentityError {
    if (error instanceof jose.errors.JWTExpired) return new IdentityError(IdentityErrorCode.TokenExpired, undefined, { cause: error });
    // A JWKS that cannot be fetched is the IdP's outage, not the caller's fault.
    if (error instanceof jose.errors.JOSEError && JOSE_NETWORK_CODES.has(error.code)) {
      return new IdentityError(IdentityErrorCode.IdpUnavailable, undefined, { cause: error });
    }
    if (error instanceof TypeError) return new IdentityError(IdentityErrorCode.IdpUnavailable, undefined, { cause: error });
    return new IdentityError(IdentityErrorCode.Unauthenticated, undefined, { cause: error });
  }

  private loadKeySet(): Promise<{ jose: JoseModule; jwks: ReturnType<JoseModule['createRemoteJWKSet']> }> {
    this.keySet ??= (async () => {
      const jose = await importEsm<JoseModule>('jose');
      const jwksUri = this.options.jwksUri ?? (await this.discoverJwksUri());
      const jwks = jose.createRemoteJWKSet(new URL(jwksUri), {
        cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
        [jose.customFetch]: this.options.fetch ?? fetch,
      });
      return { jose, jwks };
    })().catch((error: unknown) => {
      this.keySet = undefined;
      throw error;
    });
    return this.keySet;
  }

  private async discoverJwksUri(): Promise<string> {
    const doFetch = this.options.fetch ?? fetch;
    const url = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // OpenID Connect Discovery 1.0 §4.3: the document's issuer must equal the configured one exactly.
      if (document.issuer !== this.options.issuer) throw new Error('discovery document names another issuer');
      if (typeof document.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
      return document.jwks_uri;
    } catch (error) {
      throw new IdentityError(IdentityErrorCode.IdpUnavailable, undefined, { cause: error });
    }
  }
}
