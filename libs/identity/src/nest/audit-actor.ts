import type { AuditActor } from '@attest/contracts';
import type { Principal } from '../core/principal';

/** The actor for acts done from the `attest` command line, on the operator's authority. */
export const CLI_ACTOR: AuditActor = { principalId: 'cli', kind: 'system', tenant: 'default', authMethod: 'cli' };
/** The actor for acts the gateway does by itself (bootstrap). */
export const SYSTEM_ACTOR: AuditActor = { principalId: 'system', kind: 'system', tenant: 'default', authMethod: 'system' };

/** How an authenticated principal appears in the audit log. */
export function auditActorOf(principal: Principal, request: { sourceIp?: string; userAgent?: string } = {}): AuditActor {
  return {
    principalId: principal.id,
    kind: principal.kind,
    tenant: principal.tenant,
    authMethod: principal.authMethod,
    ...(principal.keyId ? { keyId: principal.keyId } : {}),
    ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** created_by / revoked_by reference a principal row; acts of actors without one (system, CLI, SCIM's IdP) leave them empty. */
export function principalIdOf(actor: AuditActor): string | null {
  return actor.kind === 'system' || !UUID.test(actor.principalId) ? null : actor.principalId;
}
