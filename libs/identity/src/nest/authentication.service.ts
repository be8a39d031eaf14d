import type { AuditActor, AuditEventDraft, AuditRecorder } from '@attest/contracts';
import { Logger } from '@nestjs/common';
import { authorize, type AuthorizationRule } from '../core/authorization';
import { presentedCredential, type PresentedCredential } from '../core/credentials';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import { auditActorOf } from './audit-actor';
import type { TokenAuthenticator } from './token.authenticator';

/** What authentication reads from a request; the guard fills it from Fastify, other callers from wherever. */
export interface AuthenticationRequest {
  authorization?: string;
  cookie?: string;
  sourceIp?: string;
  userAgent?: string;
}

/** Resolves a portal session cookie to its principal (see SessionService). */
export interface SessionAuthenticator {
  authenticate(token: string, now: Date): Promise<Principal>;
}

export interface Authenticators {
  apiKeys: ApiKeyAuthenticator;
  /** Absent when no IdP is configured: bearer tokens are then refused like any unknown credential. */
  tokens?: TokenAuthenticator;
  sessions?: SessionAuthenticator;
}

const AUTH_METHOD: Record<PresentedCredential['kind'], string> = {
  api_key: 'api_key',
  bearer_token: 'oidc_token',
  session: 'session',
  none: 'none',
};

/**
 * Turns request headers into a {@link Principal}: `Authorization: Bearer atk_…` (API key), `Authorization: Bearer
 * <JWT>` (IdP access token) or the portal session cookie. Every refusal is an audit event; the error says as little
 * as the code allows.
 *
 * @example
 * const principal = await authentication.authenticate({ authorization: request.headers.authorization });
 */
export class AuthenticationService {
  private readonly logger = new Logger('identity');

  constructor(
    private readonly authenticators: Authenticators,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticate(request: AuthenticationRequest): Promise<Principal> {
    const credential = presentedCredential(request);
    try {
      return await this.resolve(credential, this.now());
    } catch (error) {
      // A database or programming error must not turn into a 401 that hides it.
      if (!(error instanceof IdentityError)) throw error;
      // A request that presents no credential is not a sign-in attempt (a portal page load, a probe): recording it
      // would let anyone grow the append-only audit log at will. Every presented credential that fails is recorded.
      if (credential.kind !== 'none') await this.recordFailure(credential, error, request);
      throw error;
    }
  }

  /** Checks roles and the credential's action scope; a refusal is an audit event (`authorization.denied`). */
  async authorize(principal: Principal, rule: AuthorizationRule, request: Pick<AuthenticationRequest, 'sourceIp' | 'userAgent'> = {}): Promise<void> {
    try {
      authorize(principal, rule);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      await this.recordSafely({
        action: 'authorization.denied',
        outcome: 'denied',
        actor: auditActorOf(principal, request),
        tenant: principal.tenant,
        details: { code: error.code, ...(rule.action ? { action: rule.action } : {}), ...(rule.roles ? { roles: rule.roles } : {}) },
      });
      throw error;
    }
  }

  private async resolve(credential: PresentedCredential, now: Date): Promise<Principal> {
    switch (credential.kind) {
      case 'api_key':
        return this.authenticators.apiKeys.authenticate(credential.value, now);
      case 'bearer_token':
        if (!this.authenticators.tokens || credential.value === '') throw new IdentityError(IdentityErrorCode.Unauthenticated);
        return this.authenticators.tokens.authenticate(credential.value, now);
      case 'session':
        if (!this.authenticators.sessions) throw new IdentityError(IdentityErrorCode.Unauthenticated);
        return this.authenticators.sessions.authenticate(credential.value, now);
      case 'none':
        throw new IdentityError(IdentityErrorCode.Unauthenticated);
      default: {
        const unreachable: never = credential;
        return unreachable;
      }
    }
  }

  private async recordFailure(credential: PresentedCredential, error: IdentityError, request: AuthenticationRequest): Promise<void> {
    const keyId = error.keyId;
    const actor: AuditActor = {
      principalId: 'anonymous',
      kind: 'user',
      tenant: 'default',
      authMethod: AUTH_METHOD[credential.kind],
      ...(keyId ? { keyId } : {}),
      ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
      ...(request.userAgent ? { userAgent: request.userAgent.slice(0, 256) } : {}),
    };
    await this.recordSafely({ action: 'authentication.failed', outcome: 'denied', actor, tenant: 'default', details: { code: error.code } });
  }

  private async recordSafely(event: AuditEventDraft): Promise<void> {
    try {
      await this.audit.record(event);
    } catch (auditError) {
      // The request is refused either way; the operator must still learn that the refusal went unrecorded.
      this.logger.error(`${event.action} could not be audited: ${auditError instanceof Error ? auditError.message : String(auditError)}`);
    }
  }
}
