import type { AuditRecorder } from '@attest/contracts';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import type { ExternalIdentity } from '../core/token-identity';
import { auditActorOf } from './audit-actor';
import { PrincipalRepository } from './principal.repository';
import { SessionRepository, sha256 } from './session.repository';
import type { RequestFacts } from './session.service';

export interface IdpSessionStart {
  tenant: string;
  identity: ExternalIdentity;
  /** The principal's subject: issuer + subject as OIDC (`externalSubject`) or SAML (`samlSubject`) writes it. */
  subject: string;
  idpUserId?: string;
  /** The IdP's own session (OIDC `sid`, SAML SessionIndex), for back-channel logout. */
  idpSessionId: string | null;
  idToken: string | null;
  sessionTtlMs: number;
  now: Date;
  facts: RequestFacts;
  /** Beside the roles in `session.created` (e.g. the sign-in method). */
  details?: Record<string, string>;
}

/**
 * How every IdP sign-in ends, in one transaction: the principal upserted (a disabled one refused), the session stored
 * as a hash of its token, and `session.created` recorded — or nothing at all (fail closed).
 */
export async function openIdpSession(dataSource: DataSource, audit: AuditRecorder, start: IdpSessionStart): Promise<{ sessionToken: string; principal: Principal; expiresAt: Date }> {
  const { tenant, identity, now } = start;
  const sessionToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + start.sessionTtlMs);
  const principal = await dataSource.transaction(async (manager) => {
    const row = await new PrincipalRepository(manager).upsert({
      tenantId: tenant,
      kind: 'user',
      subject: start.subject,
      displayName: identity.displayName,
      roles: identity.roles,
      groups: identity.groups,
      ...(start.idpUserId ? { idpUserId: start.idpUserId } : {}),
    });
    if (row.disabledAt) throw new IdentityError(IdentityErrorCode.PrincipalDisabled);
    const sessionId = await new SessionRepository(manager).insert({
      tokenHash: sha256(sessionToken),
      tenantId: tenant,
      principalId: row.id,
      issuer: identity.issuer,
      idpSessionId: start.idpSessionId,
      idToken: start.idToken,
      createdAt: now,
      expiresAt,
    });
    const signedIn: Principal = {
      id: row.id,
      kind: 'user',
      tenant,
      displayName: identity.displayName,
      groups: identity.groups,
      roles: identity.roles,
      authMethod: 'session',
      sessionId,
      modelScopes: null,
      actionScopes: null,
      issuer: identity.issuer,
      subject: identity.subject,
    };
    await audit.record({
      action: 'session.created',
      outcome: 'success',
      actor: auditActorOf(signedIn, start.facts),
      tenant,
      resource: { type: 'session', id: sessionId },
      details: { roles: identity.roles, ...start.details },
    });
    return signedIn;
  });
  return { sessionToken, principal, expiresAt };
}
