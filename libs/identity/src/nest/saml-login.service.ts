import type { AuditActor, AuditRecorder } from '@attest/contracts';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../core/identity.config';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import { samlClaims, samlIdentity, samlSubject } from '../core/saml/saml-identity';
import { SamlLoginError, SamlRejection } from '../core/saml/saml-rejection';
import { SAML_REQUEST_TTL_MS, type SamlRequestStore, type SamlServiceProvider } from '../core/saml/saml-service-provider';
import { idpUserIdOf } from '../core/scim/scim-roles';
import type { ExternalIdentity } from '../core/token-identity';
import { PrincipalRepository } from './principal.repository';
import { SamlRequestRepository } from './saml-request.repository';
import { openIdpSession } from './idp-session';
import { sha256 } from './session.repository';
import { safeReturnPath, type CompletedSessionLogin, type RequestFacts } from './session.service';

export type SamlLoginConfig = Pick<IdentityConfig, 'sessionTtlMs' | 'roleMapping' | 'oidcGroupsClaim' | 'scimLinkClaim'> & { tenant?: string };

export interface StartedSamlLogin {
  /** The IdP's single sign-on URL with the AuthnRequest (HTTP-Redirect binding). */
  redirectUrl: string;
  /** Goes into the SAML login cookie, binding the response to the browser that started the sign-in (login CSRF). */
  browserToken: string;
}

/** saml-bindings §3.4.3: RelayState must not exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

const NOT_CONFIGURED =
  'SAML single sign-on is not configured (ATTEST_SAML_IDP_ENTRY_POINT, ATTEST_SAML_IDP_ISSUER, ATTEST_SAML_IDP_CERT).';

/**
 * Portal sign-in with a SAML 2.0 IdP, ending exactly as the OIDC login does: a principal keyed by IdP entity id and
 * NameID, roles from ATTEST_ROLE_MAPPING (no match, no session), a server-side session behind the HttpOnly session
 * cookie, and the sign-in or its refusal (with a stable reason) in the audit log. AuthnRequest ids are kept
 * server-side, bound to the browser, and answered once; each assertion ID is consumed once.
 *
 * @example
 * const { redirectUrl, browserToken } = await saml.startLogin('/portal/keys');
 * const { sessionToken, returnTo } = await saml.completeLogin(body.SAMLResponse, cookieValue, facts);
 */
export class SamlLoginService {
  private readonly logger = new Logger('identity');

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly serviceProvider: SamlServiceProvider | null,
    private readonly config: SamlLoginConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether SAML sign-in is available (ATTEST_SAML_IDP_* set). */
  get configured(): boolean {
    return this.serviceProvider !== null;
  }

  /** The SP metadata XML to hand to the IdP administrator. */
  metadata(): string {
    return this.sp().metadata();
  }

  async startLogin(returnTo?: string): Promise<StartedSamlLogin> {
    const sp = this.sp();
    const now = this.now();
    const browserToken = randomBytes(32).toString('base64url');
    const returnPath = safeReturnPath(returnTo);
    const requests = new SamlRequestRepository(this.dataSource);
    await requests.prune(now);
    const store: SamlRequestStore = {
      save: (requestId, issuedAt) =>
        requests.insert({
          requestId,
          browserHash: sha256(browserToken),
          returnTo: returnPath,
          issuedAt: new Date(issuedAt),
          expiresAt: new Date(now.getTime() + SAML_REQUEST_TTL_MS),
        }),
      issuedAt: () => Promise.resolve(null),
    };
    // The IdP echoes RelayState, but the ACS trusts only the copy kept with the request.
    const relayState = Buffer.byteLength(returnPath, 'utf8') <= MAX_RELAY_STATE_BYTES ? returnPath : '/';
    return { redirectUrl: await sp.authorizeUrl(store, relayState), browserToken };
  }

  /** `samlResponse` is the posted SAMLResponse field; `browserToken` the SAML login cookie set by {@link startLogin}. */
  async completeLogin(samlResponse: unknown, browserToken: string | undefined, facts: RequestFacts = {}): Promise<CompletedSessionLogin> {
    // Not configured is not a sign-in attempt: nothing to record (probes must not grow the audit log).
    const sp = this.sp();
    try {
      return await this.login(sp, samlResponse, browserToken, facts);
    } catch (error) {
      if (error instanceof IdentityError) await this.recordFailure(error, facts);
      throw error;
    }
  }

  private async login(sp: SamlServiceProvider, samlResponse: unknown, browserToken: string | undefined, facts: RequestFacts): Promise<CompletedSessionLogin> {
    if (!browserToken) throw new SamlLoginError(SamlRejection.LoginNotStarted);
    if (typeof samlResponse !== 'string' || samlResponse.length === 0) throw new SamlLoginError(SamlRejection.ResponseMalformed);
    const browserHash = sha256(browserToken);
    const requests = new SamlRequestRepository(this.dataSource);
    const store: SamlRequestStore = {
      save: () => Promise.reject(new Error('a response issues no request')),
      issuedAt: async (requestId) => (await requests.issuedAt(requestId, browserHash, this.now()))?.toISOString() ?? null,
    };
    const { profile, assertion, requestId } = await sp.validate(samlResponse, store);
    const now = this.now();
    // One-time use (SAML profiles §4.1.4.5), recorded before anything else can refuse: a refused assertion is spent too.
    const keepUntil = new Date(assertion.usableUntil.getTime() + sp.clockSkewMs);
    if (!(await requests.consumeAssertion(profile.issuer, assertion.id, keepUntil, now))) throw new SamlLoginError(SamlRejection.AssertionReplayed);
    const request = await requests.take(requestId, browserHash, now);
    if (!request) throw new SamlLoginError(SamlRejection.RequestAlreadyUsed);

    const tenant = this.config.tenant ?? 'default';
    const claims = samlClaims(profile, sp.groupsAttributes, this.config.oidcGroupsClaim);
    // Groups the IdP provisioned by SCIM count like the assertion's groups, as for OIDC sign-ins.
    const idpUserId = idpUserIdOf(claims, this.config.scimLinkClaim);
    const provisioned = idpUserId ? await new PrincipalRepository(this.dataSource).provisionedGroups(tenant, idpUserId) : [];
    const identity = samlIdentity(claims, provisioned, this.config.roleMapping, this.config.oidcGroupsClaim);
    const session = await this.openSession(tenant, identity, idpUserId, profile.sessionIndex ?? null, now, facts);
    return { ...session, returnTo: request.returnTo };
  }

  /** The OIDC login's ending (openIdpSession); the SAML SessionIndex names the IdP session, as `sid` does for OIDC. */
  private async openSession(
    tenant: string,
    identity: ExternalIdentity,
    idpUserId: string | undefined,
    idpSessionId: string | null,
    now: Date,
    facts: RequestFacts,
  ): Promise<Omit<CompletedSessionLogin, 'returnTo'>> {
    const opened = await openIdpSession(this.dataSource, this.audit, {
      tenant,
      identity,
      subject: samlSubject(identity),
      ...(idpUserId ? { idpUserId } : {}),
      idpSessionId,
      idToken: null,
      sessionTtlMs: this.config.sessionTtlMs,
      now,
      facts,
      details: { method: 'saml' },
    });
    return { ...opened, ttlMs: this.config.sessionTtlMs };
  }

  private sp(): SamlServiceProvider {
    if (!this.serviceProvider) throw new IdentityError(IdentityErrorCode.SsoNotConfigured, NOT_CONFIGURED);
    return this.serviceProvider;
  }

  /** Recorded with the code and, for SAML refusals, the reason: never a value from the assertion. */
  private async recordFailure(error: IdentityError, facts: RequestFacts): Promise<void> {
    const tenant = this.config.tenant ?? 'default';
    const actor: AuditActor = {
      principalId: 'anonymous',
      kind: 'user',
      tenant,
      authMethod: 'saml',
      ...(facts.sourceIp ? { sourceIp: facts.sourceIp } : {}),
      ...(facts.userAgent ? { userAgent: facts.userAgent.slice(0, 256) } : {}),
    };
    const reason = error instanceof SamlLoginError ? error.reason : error.code.toLowerCase();
    try {
      await this.audit.record({ action: 'authentication.failed', outcome: 'denied', actor, tenant, details: { code: error.code, reason } });
    } catch (auditError) {
      this.logger.error(`authentication.failed could not be audited: ${auditError instanceof Error ? auditError.message : String(auditError)}`);
    }
  }
}
