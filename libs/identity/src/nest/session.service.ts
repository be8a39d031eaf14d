import type { AuditActor, AuditEventDraft, AuditRecorder } from '@attest/contracts';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../core/identity.config';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { OidcRelyingParty } from '../core/oidc-relying-party';
import type { Principal } from '../core/principal';
import { claimsWithGroups, idpUserIdOf } from '../core/scim/scim-roles';
import { externalIdentityFromClaims } from '../core/token-identity';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyRepository } from './api-key.repository';
import { auditActorOf } from './audit-actor';
import type { SessionAuthenticator } from './authentication.service';
import { PrincipalRepository } from './principal.repository';
import { API_KEY_SESSION_ISSUER, SessionRepository, type SessionWithPrincipal, sha256 } from './session.repository';
import { externalSubject } from './token.authenticator';
import { openIdpSession } from './idp-session';

const LOGIN_ATTEMPT_TTL_MS = 10 * 60_000;

export type SessionServiceConfig = Pick<
  IdentityConfig,
  'sessionTtlMs' | 'roleMapping' | 'oidcGroupsClaim' | 'publicUrl' | 'lastUsedIntervalMs' | 'scimLinkClaim'
> & { tenant?: string };

export interface RequestFacts {
  sourceIp?: string;
  userAgent?: string;
}

export interface StartedLogin {
  authorizationUrl: string;
  /** Goes into the short-lived login cookie, binding the callback to the browser that started it (login CSRF). */
  state: string;
}

export interface CompletedSessionLogin {
  /** The session cookie's value: shown to this browser only, stored only as a hash. */
  sessionToken: string;
  returnTo: string;
  principal: Principal;
  expiresAt: Date;
  /** The cookie's Max-Age. */
  ttlMs: number;
}

/** A session signed in with an API key: what the cookie helper needs, and who signed in. */
export type ApiKeySession = Omit<CompletedSessionLogin, 'returnTo'>;

/** Only a path on this site: `//evil.example` and `https://…` would make the login an open redirect. */
export function safeReturnPath(candidate: string | undefined): string {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\')) return '/';
  return candidate;
}

/**
 * Portal sign-in and sessions. The browser holds only an opaque session token in an HttpOnly cookie; tokens from the
 * IdP stay on the server. Sessions are bound to the IdP session (`sid`) so back-channel logout can end them, and can be
 * ended for a principal at once (deactivation). Without an IdP client (`relyingParty` null) only the OIDC login refuses;
 * sessions signed in with an API key ({@link createFromApiKey}), /auth/me and logout work the same.
 *
 * @example
 * const { authorizationUrl, state } = await sessions.startLogin('/portal/keys');
 * const { sessionToken, ttlMs } = await sessions.createFromApiKey('atk_…', { sourceIp: '10.0.0.7' });
 */
export class SessionService implements SessionAuthenticator {
  private readonly logger = new Logger('identity');

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly relyingParty: OidcRelyingParty | null,
    private readonly config: SessionServiceConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether single sign-on (the OIDC login) is available. */
  get ssoConfigured(): boolean {
    return this.relyingParty !== null;
  }

  async startLogin(returnTo?: string): Promise<StartedLogin> {
    const request = await this.oidc().authorizationRequest();
    await new SessionRepository(this.dataSource).insertLoginAttempt(sha256(request.state), {
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      returnTo: safeReturnPath(returnTo),
      expiresAt: new Date(this.now().getTime() + LOGIN_ATTEMPT_TTL_MS),
    });
    return { authorizationUrl: request.url.href, state: request.state };
  }

  /** `query` is the callback's raw query string; `stateCookie` the login cookie set by {@link startLogin}. */
  async completeLogin(query: string, stateCookie: string | undefined, facts: RequestFacts = {}): Promise<CompletedSessionLogin> {
    try {
      return await this.login(query, stateCookie, facts);
    } catch (error) {
      if (error instanceof IdentityError) await this.recordFailure(error, facts);
      throw error;
    }
  }

  async authenticate(token: string, now: Date): Promise<Principal> {
    const session = await new SessionRepository(this.dataSource).findByTokenHash(sha256(token));
    if (!session || session.endedAt || session.expiresAt <= now) throw new IdentityError(IdentityErrorCode.Unauthenticated);
    if (session.principalDisabledAt) throw new IdentityError(IdentityErrorCode.PrincipalDisabled);
    const principal: Principal = {
      id: session.principalId,
      kind: session.principalKind,
      tenant: session.tenantId,
      displayName: session.principalDisplayName,
      groups: session.principalGroups,
      roles: session.principalRoles,
      authMethod: 'session',
      sessionId: session.id,
      modelScopes: null,
      actionScopes: null,
      issuer: session.issuer,
    };
    return session.issuer === API_KEY_SESSION_ISSUER ? this.withKeyPower(principal, session, now) : principal;
  }

  /**
   * Signs a browser in with an API key (the zero-configuration start has no IdP): the key is checked exactly as on a
   * request, and the browser then holds only the session cookie, never the key. The session carries the key's roles
   * and scopes and lasts no longer than the key does: revoked or expired, its sessions stop authenticating.
   */
  async createFromApiKey(apiKey: string, facts: RequestFacts = {}): Promise<ApiKeySession> {
    const now = this.now();
    let keyPrincipal: Principal;
    try {
      keyPrincipal = await new ApiKeyAuthenticator(new ApiKeyRepository(this.dataSource), this.config.lastUsedIntervalMs).authenticate(apiKey, now);
    } catch (error) {
      if (error instanceof IdentityError) await this.recordFailure(error, facts, 'api_key');
      throw error;
    }
    const keyId = keyPrincipal.keyId ?? '';
    const sessionToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlMs);
    const principal = await this.dataSource.transaction(async (manager) => {
      const sessionId = await new SessionRepository(manager).insert({
        tokenHash: sha256(sessionToken),
        tenantId: keyPrincipal.tenant,
        principalId: keyPrincipal.id,
        issuer: API_KEY_SESSION_ISSUER,
        idpSessionId: keyId,
        idToken: null,
        createdAt: now,
        expiresAt,
      });
      // Fail closed: a sign-in the audit log cannot hold does not happen.
      await this.audit.record({
        action: 'session.created',
        outcome: 'success',
        actor: auditActorOf(keyPrincipal, facts),
        tenant: keyPrincipal.tenant,
        resource: { type: 'session', id: sessionId },
        details: { method: 'api_key', keyId },
      });
      // keyId stays: acts done in this session are the key's acts (audit, quotas).
      const signedIn: Principal = { ...keyPrincipal, authMethod: 'session', sessionId, issuer: API_KEY_SESSION_ISSUER };
      return signedIn;
    });
    return { sessionToken, principal, expiresAt, ttlMs: this.config.sessionTtlMs };
  }

  /** Ends the session here and returns where the browser goes next: the IdP's end-session endpoint when it has one. */
  async logout(token: string | undefined, facts: RequestFacts = {}): Promise<{ redirectTo: string }> {
    const home = new URL('/', this.config.publicUrl).href;
    if (!token) return { redirectTo: home };
    const sessions = new SessionRepository(this.dataSource);
    const session = await sessions.findByTokenHash(sha256(token));
    if (!session || session.endedAt) return { redirectTo: home };
    const principal = await this.authenticate(token, this.now()).catch(() => undefined);
    await this.dataSource.transaction(async (manager) => {
      await new SessionRepository(manager).endById(session.id, this.now(), 'logout');
      await this.audit.record({
        action: 'session.ended',
        outcome: 'success',
        actor: principal ? auditActorOf(principal, facts) : this.anonymous('session', facts),
        tenant: session.tenantId,
        resource: { type: 'session', id: session.id },
        details: { reason: 'logout' },
      });
    });
    // Only the OIDC provider's own sessions go to its end-session page (not API-key or SAML sign-ins).
    const idpSession = this.relyingParty && session.issuer === this.relyingParty.issuer;
    const endSession = idpSession ? await this.relyingParty.endSessionUrl(session.idToken, home).catch(() => null) : null;
    return { redirectTo: endSession?.href ?? home };
  }

  /** OpenID Connect Back-Channel Logout 1.0: the IdP tells us a user's IdP session ended; end ours with it. */
  async backchannelLogout(logoutToken: string): Promise<number> {
    const claims = await this.oidc().verifyLogoutToken(logoutToken);
    const sessions = new SessionRepository(this.dataSource);
    const at = this.now();
    const ended = claims.sessionId
      ? await sessions.endByIdpSession(claims.issuer, claims.sessionId, at, 'idp_logout')
      : await sessions.endByPrincipalSubject(claims.issuer, externalSubject({ issuer: claims.issuer, subject: claims.subject ?? '' }), at, 'idp_logout');
    for (const session of ended) {
      await this.recordSafely({
        action: 'session.ended',
        outcome: 'success',
        actor: { principalId: 'idp', kind: 'system', tenant: session.tenantId, authMethod: 'backchannel_logout' },
        tenant: session.tenantId,
        resource: { type: 'session', id: session.id },
        details: { reason: 'idp_logout' },
      });
    }
    return ended.length;
  }

  /** Ends every live session of a principal (deactivation, role removal); recorded as one event. */
  async endSessionsOf(principalId: string, reason: string, actor: AuditActor): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const ended = await new SessionRepository(manager).endByPrincipal(principalId, this.now(), reason);
      if (ended.length > 0) {
        await this.audit.record({
          action: 'session.ended',
          outcome: 'success',
          actor,
          tenant: ended[0]?.tenantId ?? actor.tenant,
          resource: { type: 'principal', id: principalId },
          details: { reason, sessions: ended.length },
        });
      }
      return ended.length;
    });
  }

  private async login(query: string, stateCookie: string | undefined, facts: RequestFacts): Promise<CompletedSessionLogin> {
    const params = new URLSearchParams(query);
    const state = params.get('state');
    if (!state || !stateCookie || state !== stateCookie) throw new IdentityError(IdentityErrorCode.LoginFailed);
    const attempt = await new SessionRepository(this.dataSource).takeLoginAttempt(sha256(state));
    const now = this.now();
    if (!attempt || attempt.expiresAt <= now) throw new IdentityError(IdentityErrorCode.LoginFailed);
    const callbackUrl = new URL(`/auth/callback?${params.toString()}`, this.config.publicUrl);
    const { claims, idToken } = await this.oidc().completeLogin(callbackUrl, { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier });
    const tenant = this.config.tenant ?? 'default';
    // Groups the IdP provisioned by SCIM count like the token's groups (role mapping sees both).
    const idpUserId = idpUserIdOf(claims, this.config.scimLinkClaim);
    const provisioned = idpUserId ? await new PrincipalRepository(this.dataSource).provisionedGroups(tenant, idpUserId) : [];
    const identity = externalIdentityFromClaims(claimsWithGroups(claims, provisioned, this.config.oidcGroupsClaim), this.config.roleMapping, this.config.oidcGroupsClaim);
    if (identity.kind !== 'user') throw new IdentityError(IdentityErrorCode.LoginFailed);
    const { sessionToken, principal, expiresAt } = await openIdpSession(this.dataSource, this.audit, {
      tenant,
      identity,
      subject: externalSubject(identity),
      ...(idpUserId ? { idpUserId } : {}),
      idpSessionId: typeof claims['sid'] === 'string' ? claims['sid'] : null,
      idToken,
      sessionTtlMs: this.config.sessionTtlMs,
      now,
      facts,
    });
    return { sessionToken, returnTo: attempt.returnTo, principal, expiresAt, ttlMs: this.config.sessionTtlMs };
  }

  private oidc(): OidcRelyingParty {
    if (!this.relyingParty) throw new IdentityError(IdentityErrorCode.SsoNotConfigured);
    return this.relyingParty;
  }

  /** A key-made session: refused once its key is revoked or expired (or gone); otherwise the key's roles and scopes. */
  private withKeyPower(principal: Principal, session: SessionWithPrincipal, now: Date): Principal {
    const key = session.key;
    if (!key || (key.revokedAt && key.revokedAt <= now) || (key.expiresAt && key.expiresAt <= now)) {
      throw new IdentityError(IdentityErrorCode.Unauthenticated);
    }
    return { ...principal, roles: key.roles, keyId: key.id, modelScopes: key.modelScopes, actionScopes: key.actionScopes };
  }

  private anonymous(authMethod: string, facts: RequestFacts): AuditActor {
    return {
      principalId: 'anonymous',
      kind: 'user',
      tenant: this.config.tenant ?? 'default',
      authMethod,
      ...(facts.sourceIp ? { sourceIp: facts.sourceIp } : {}),
      ...(facts.userAgent ? { userAgent: facts.userAgent.slice(0, 256) } : {}),
    };
  }

  private recordFailure(error: IdentityError, facts: RequestFacts, authMethod = 'session'): Promise<void> {
    const actor = this.anonymous(authMethod, facts);
    return this.recordSafely({
      action: 'authentication.failed',
      outcome: 'denied',
      actor: error.keyId ? { ...actor, keyId: error.keyId } : actor,
      tenant: this.config.tenant ?? 'default',
      details: { code: error.code },
    });
  }

  private async recordSafely(event: AuditEventDraft): Promise<void> {
    try {
      await this.audit.record(event);
    } catch (error) {
      this.logger.error(`${event.action} could not be audited: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
