import type { AuditRecorder } from '@attest/contracts';
import { ConfigError } from '@attest/config';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AccessTokenVerifier } from '../core/access-token-verifier';
import { OidcRelyingParty } from '../core/oidc-relying-party';
import type { IdentityConfig } from '../core/identity.config';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AuthenticationService, type SessionAuthenticator } from './authentication.service';
import { PrincipalRepository } from './principal.repository';
import { SessionService } from './session.service';
import { SsoTestLoginService } from './sso-test-login.service';
import { MemorySsoTestLoginStore } from './sso-test-login.store';
import { TokenAuthenticator } from './token.authenticator';

export interface IdentityDependencies {
  dataSource: DataSource;
  audit: AuditRecorder;
  config: IdentityConfig;
  now?: () => Date;
  /** Injected for tests: the fetch used for IdP discovery and JWKS. */
  fetch?: typeof fetch;
  sessions?: SessionAuthenticator;
}

/** The IdP settings bearer tokens need, or undefined when no IdP is configured; a half configuration names what is missing. */
export function accessTokenVerifierFor(config: IdentityConfig, fetchImpl?: typeof fetch): AccessTokenVerifier | undefined {
  if (!config.oidcIssuer) return undefined;
  if (!config.oidcAudience) {
    throw new ConfigError('identity', ['ATTEST_OIDC_AUDIENCE is required when ATTEST_OIDC_ISSUER is set. Expected: the `aud` of Attest access tokens']);
  }
  return new AccessTokenVerifier({
    issuer: config.oidcIssuer,
    audience: config.oidcAudience,
    algorithms: config.oidcAlgorithms,
    clockToleranceMs: config.oidcClockToleranceMs,
    requireAccessTokenType: config.oidcRequireAccessTokenType,
    ...(config.oidcJwksUri ? { jwksUri: config.oidcJwksUri } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/**
 * Builds the authentication service without Nest (CLI, tests); the Nest module uses the same function.
 *
 * @example
 * const authentication = createAuthenticationService({ dataSource, audit, config: identityConfig.load() });
 */
export function createAuthenticationService(deps: IdentityDependencies): AuthenticationService {
  const logger = new Logger('identity');
  const apiKeys = new ApiKeyAuthenticator(new ApiKeyRepository(deps.dataSource), deps.config.lastUsedIntervalMs, (error) =>
    logger.warn(`last-used time not recorded: ${error instanceof Error ? error.message : String(error)}`),
  );
  const verifier = accessTokenVerifierFor(deps.config, deps.fetch);
  const tokens = verifier
    ? new TokenAuthenticator(verifier, new PrincipalRepository(deps.dataSource), deps.config.roleMapping, deps.config.oidcGroupsClaim, 'default', deps.config.scimLinkClaim)
    : undefined;
  return new AuthenticationService(
    { apiKeys, ...(tokens ? { tokens } : {}), ...(deps.sessions ? { sessions: deps.sessions } : {}) },
    deps.audit,
    deps.now,
  );
}

/**
 * Portal sign-in and sessions. Without an IdP client (ATTEST_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET) the OIDC login
 * refuses with SSO_NOT_CONFIGURED; API-key sign-in, session cookies, /auth/me and logout still work.
 */
export function createSessionService(deps: IdentityDependencies): SessionService {
  return new SessionService(deps.dataSource, deps.audit, relyingPartyFor(deps.config), deps.config, deps.now);
}

/** The portal's OIDC client, or null when ATTEST_OIDC_ISSUER, _CLIENT_ID or _CLIENT_SECRET is missing. */
function relyingPartyFor(config: IdentityConfig): OidcRelyingParty | null {
  if (!config.oidcIssuer || !config.oidcClientId || !config.oidcClientSecret) return null;
  return new OidcRelyingParty({
    issuer: config.oidcIssuer,
    clientId: config.oidcClientId,
    clientSecret: config.oidcClientSecret,
    redirectUri: new URL('/auth/callback', config.publicUrl).href,
    allowInsecureHttp: config.oidcAllowInsecureHttp,
    algorithms: config.oidcAlgorithms,
    clockToleranceMs: config.oidcClockToleranceMs,
  });
}

/** The admins' SSO test login (same IdP client as the portal login); `sessions` checks the admin's session. */
export function createSsoTestLoginService(deps: IdentityDependencies & { sessions: SessionAuthenticator }): SsoTestLoginService {
  return new SsoTestLoginService(deps.dataSource, deps.audit, relyingPartyFor(deps.config), deps.config, deps.sessions, new MemorySsoTestLoginStore(), deps.now);
}

export function createApiKeyService(deps: IdentityDependencies): ApiKeyService {
  return new ApiKeyService(deps.dataSource, deps.audit, deps.config, deps.now);
}
