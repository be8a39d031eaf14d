import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };
import { IdentityError, IdentityErrorCode } from './identity.errors';
import type { Claims } from './role-mapping';

type ClientModule = typeof OpenIdClient;
type JoseModule = typeof Jose;

export interface OidcRelyingPartyOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `<public url>/auth/callback`, registered at the IdP. */
  redirectUri: string;
  /** Only for a local IdP on http:// (tests, the compose demo); never in production. */
  allowInsecureHttp?: boolean;
  algorithms: readonly string[];
  clockToleranceMs: number;
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface CompletedLogin {
  claims: Claims;
  idToken: string;
}

export interface LogoutTokenClaims {
  issuer: string;
  subject?: string;
  sessionId?: string;
}

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The portal's side of OpenID Connect: authorization code flow with PKCE (RFC 7636, S256), state and nonce, done on the
 * server with openid-client; RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and back-channel logout
 * tokens (OpenID Connect Back-Channel Logout 1.0 §2.6).
 *
 * @example
 * const { url, state, nonce, codeVerifier } = await rp.authorizationRequest();
 * // …browser comes back to /auth/callback…
 * const { claims } = await rp.completeLogin(callbackUrl, { state, nonce, codeVerifier });
 */
export class OidcRelyingParty {
  private loaded: Promise<{ client: ClientModule; jose: JoseModule; config: OpenIdClient.Configuration }> | undefined;

  constructor(private readonly options: OidcRelyingPartyOptions) {}

  /** The IdP this relying party signs people in with (sessions it opened carry it). */
  get issuer(): string {
    return this.options.issuer;
  }

  /** `prompt: 'login'` makes the IdP ask for credentials again even when it has a session (OpenID Connect Core §3.1.2.1). */
  async authorizationRequest(options: { prompt?: 'login' | 'select_account' } = {}): Promise<AuthorizationRequest> {
    const { client, config } = await this.load();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(options.prompt ? { prompt: options.prompt } : {}),
    });
    return { url, state, nonce, codeVerifier };
  }

  async completeLogin(callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<CompletedLogin> {
    const { client, config } = await this.load();
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error('no ID token');
      return { claims: claims as Claims, idToken: tokens.id_token };
    } catch (error) {
      throw new IdentityError(IdentityErrorCode.LoginFailed, undefined, { cause: error });
    }
  }

  /** Where to send the browser so the IdP ends its session too; null when the IdP offers no end_session_endpoint. */
  async endSessionUrl(idTokenHint: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
    const { client, config } = await this.load();
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      client_id: this.options.clientId,
      ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
    });
  }

  /** Validates a back-channel logout token; throws UNAUTHENTICATED for anything that is not one. */
  async verifyLogoutToken(token: string): Promise<LogoutTokenClaims> {
    const { jose, config } = await this.load();
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri) throw new IdentityError(IdentityErrorCode.IdpUnavailable);
    try {
      const { payload } = await jose.jwtVerify(token, this.jwks(jose, jwksUri), {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        algorithms: [...this.options.algorithms],
        clockTolerance: Math.round(this.options.clockToleranceMs / 1000),
        requiredClaims: ['iat', 'jti', 'events'],
      });
      const events = payload['events'];
      const isLogout = typeof events === 'object' && events !== null && BACKCHANNEL_LOGOUT_EVENT in events;
      // §2.4: a logout token carries sid or sub, and never a nonce (so an ID token cannot pass as one).
      if (!isLogout || 'nonce' in payload || (!payload.sub && typeof payload['sid'] !== 'string')) throw new Error('not a logout token');
      return {
        issuer: this.options.issuer,
        ...(payload.sub ? { subject: payload.sub } : {}),
        ...(typeof payload['sid'] === 'string' ? { sessionId: payload['sid'] } : {}),
      };
    } catch (error) {
      throw new IdentityError(IdentityErrorCode.Unauthenticated, undefined, { cause: error });
    }
  }

  private remoteJwks: ReturnType<JoseModule['createRemoteJWKSet']> | undefined;

  private jwks(jose: JoseModule, uri: string): ReturnType<JoseModule['createRemoteJWKSet']> {
    this.remoteJwks ??= jose.createRemoteJWKSet(new URL(uri));
    return this.remoteJwks;
  }

  private load(): Promise<{ client: ClientModule; jose: JoseModule; config: OpenIdClient.Configuration }> {
    this.loaded ??= (async () => {
      const [client, jose] = await Promise.all([importEsm<ClientModule>('openid-client'), importEsm<JoseModule>('jose')]);
      try {
        const config = await client.discovery(
          new URL(this.options.issuer),
          this.options.clientId,
          { id_token_signed_response_alg: this.options.algorithms[0] ?? 'RS256' },
          client.ClientSecretBasic(this.options.clientSecret),
          { ...(this.options.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : {}), timeout: 5 },
        );
        return { client, jose, config };
      } catch (error) {
        throw new IdentityError(IdentityErrorCode.IdpUnavailable, undefined, { cause: error });
      }
    })().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }
}
