import type { AuditEventDraft, AuditRecorder } from '@attest/contracts';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../core/identity.config';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { OidcRelyingParty } from '../core/oidc-relying-party';
import type { Principal } from '../core/principal';
import type { Claims } from '../core/role-mapping';
import { previewRoleMapping, type RoleMappingPreview } from '../core/role-mapping-preview';
import { idpUserIdOf } from '../core/scim/scim-roles';
import { auditActorOf } from './audit-actor';
import type { SessionAuthenticator } from './authentication.service';
import { PrincipalRepository } from './principal.repository';
import { type RequestFacts } from './session.service';
import { SessionRepository, sha256 } from './session.repository';
import type { SsoTestLoginStore } from './sso-test-login.store';

/** How long the portal may fetch a test login's claims (they are personal data: minutes, not hours). */
export const TEST_LOGIN_RESULT_TTL_MS = 5 * 60_000;
const PENDING_TTL_MS = 10 * 60_000;
/** The portal's role-mapping page; the result id travels in the query, the page in the fragment. */
const RESULT_PAGE = '/portal/';

export type SsoTestLoginConfig = Pick<IdentityConfig, 'roleMapping' | 'oidcGroupsClaim' | 'scimLinkClaim' | 'publicUrl'>;

export interface StartedTestLogin {
  authorizationUrl: string;
  /** Goes into the test-login cookie; the callback is a test login's only when it carries the same state. */
  state: string;
}

export interface TestLoginResult {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  /** Every claim of the ID token (the token itself is not kept). */
  claims: Claims;
  preview: RoleMappingPreview;
}

/** The pending attempt is stored under a hash of the state and the admin's session: only that session can finish it. */
function pendingKey(state: string, sessionId: string): string {
  return sha256(`test-login\u0000${sessionId}\u0000${state}`);
}

/**
 * "Test SSO login" for admins: the real authorization code + PKCE flow against the configured IdP (with
 * `prompt=login`, so the admin can sign in as a test user), but the callback opens no session and writes no principal.
 * The ID token's claims and what ATTEST_ROLE_MAPPING makes of them wait 5 minutes for the admin's session to fetch
 * them. Recorded as `authentication.test_login` with the matched rules and roles, never the claims' values.
 *
 * @example
 * const { authorizationUrl, state } = await testLogins.start(adminPrincipal); // state → testLoginCookie(state)
 * const { redirectTo } = await testLogins.complete(query, stateCookie, sessionCookie, facts);
 */
export class SsoTestLoginService {
  private readonly logger = new Logger('identity');

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly relyingParty: OidcRelyingParty | null,
    private readonly config: SsoTestLoginConfig,
    private readonly sessions: SessionAuthenticator,
    private readonly store: SsoTestLoginStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether there is an OIDC IdP client to test (ATTEST_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET). */
  get configured(): boolean {
    return this.relyingParty !== null;
  }

  /** Whether a callback answers a test login this browser started (its test-login cookie holds the callback's state). */
  static isTestCallback(query: string, testStateCookie: string | undefined): boolean {
    const state = new URLSearchParams(query).get('state');
    return testStateCookie !== undefined && testStateCookie !== '' && state === testStateCookie;
  }

  /** For an admin signed in to the portal (a session): the IdP URL to send the browser to. */
  async start(principal: Principal): Promise<StartedTestLogin> {
    const relyingParty = this.oidc();
    if (principal.authMethod !== 'session' || !principal.sessionId) throw new IdentityError(IdentityErrorCode.SessionRequired);
    const request = await relyingParty.authorizationRequest({ prompt: 'login' });
    await new SessionRepository(this.dataSource).insertLoginAttempt(pendingKey(request.state, principal.sessionId), {
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      returnTo: RESULT_PAGE,
      expiresAt: new Date(this.now().getTime() + PENDING_TTL_MS),
    });
    return { authorizationUrl: request.url.href, state: request.state };
  }

  /**
   * The callback of a test login: checks that the admin's session started it, exchanges the code, maps the claims and
   * keeps them for {@link TEST_LOGIN_RESULT_TTL_MS}. Opens no session. Returns the portal page to send the browser to
   * (with `testLoginError=<code>` when the IdP's answer was not a login).
   */
  async complete(query: string, stateCookie: string | undefined, sessionToken: string | undefined, facts: RequestFacts = {}): Promise<{ redirectTo: string }> {
    const relyingParty = this.oidc();
    const admin = await this.sessions.authenticate(sessionToken ?? '', this.now());
    if (!admin.sessionId || !admin.roles.includes('admin')) throw new IdentityError(IdentityErrorCode.Forbidden);
    const params = new URLSearchParams(query);
    const state = params.get('state');
    if (!state || state !== stateCookie) throw new IdentityError(IdentityErrorCode.LoginFailed);
    const attempt = await new SessionRepository(this.dataSource).takeLoginAttempt(pendingKey(state, admin.sessionId));
    if (!attempt || attempt.expiresAt <= this.now()) throw new IdentityError(IdentityErrorCode.LoginFailed);
    let claims: Claims;
    try {
      const callbackUrl = new URL(`/auth/callback?${params.toString()}`, this.config.publicUrl);
      ({ claims } = await relyingParty.completeLogin(callbackUrl, { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier }));
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      await this.recordSafely({
        action: 'authentication.test_login',
        outcome: 'failure',
        actor: auditActorOf(admin, facts),
        tenant: admin.tenant,
        details: { code: error.code },
      });
      return { redirectTo: `${RESULT_PAGE}?testLoginError=${encodeURIComponent(error.code)}#/people` };
    }
    const idpUserId = idpUserIdOf(claims, this.config.scimLinkClaim);
    const provisioned = idpUserId ? await new PrincipalRepository(this.dataSource).provisionedGroups(admin.tenant, idpUserId) : [];
    const preview = previewRoleMapping(claims, this.config.roleMapping, this.config.oidcGroupsClaim, provisioned);
    const id = randomBytes(18).toString('base64url');
    // Fail closed: a test login the audit log cannot hold shows nothing. The claims' values stay out of the log.
    await this.audit.record({
      action: 'authentication.test_login',
      outcome: 'success',
      actor: auditActorOf(admin, facts),
      tenant: admin.tenant,
      resource: { type: 'sso_test_login', id },
      details: {
        wouldSignIn: preview.outcome === 'signed_in',
        roles: preview.roles,
        matchedRules: preview.matchedRules.map((rule) => rule.index),
        groupsOverage: preview.groupsOverage,
        ...(preview.refusal ? { refusal: preview.refusal.code } : {}),
      },
    });
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + TEST_LOGIN_RESULT_TTL_MS);
    this.store.put(id, { sessionId: admin.sessionId, tenant: admin.tenant, claims, preview, createdAt, expiresAt }, createdAt);
    return { redirectTo: `${RESULT_PAGE}?testLogin=${id}#/people` };
  }

  /** A result for the session that started the test login; any other caller is told it does not exist. */
  result(principal: Principal, id: string): TestLoginResult {
    const stored = this.store.get(id, this.now());
    if (!stored || !principal.sessionId || stored.sessionId !== principal.sessionId || stored.tenant !== principal.tenant) {
      throw new IdentityError(IdentityErrorCode.TestLoginNotFound);
    }
    return { id, createdAt: stored.createdAt, expiresAt: stored.expiresAt, claims: stored.claims, preview: stored.preview };
  }

  private oidc(): OidcRelyingParty {
    if (!this.relyingParty) throw new IdentityError(IdentityErrorCode.SsoNotConfigured);
    return this.relyingParty;
  }

  private async recordSafely(event: AuditEventDraft): Promise<void> {
    try {
      await this.audit.record(event);
    } catch (error) {
      this.logger.error(`${event.action} could not be audited: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
