import type { AuditActor } from '@attest/contracts';

/**
 * Who performs a registry act. A gateway `Principal` fits as is; the CLI passes the operator named by `--as`
 * (or `cli`) with the operator's roles.
 */
export interface RegistryActor {
  /** Principal uuid, or the operator's name for CLI acts. Four-eyes compares these. */
  id: string;
  kind: 'user' | 'service' | 'system';
  tenant: string;
  roles: readonly string[];
  /** `api_key`, `oidc_token`, `session`, `cli`, `system`. */
  authMethod: string;
  keyId?: string;
  sessionId?: string;
}

/** The gateway itself, e.g. registering the built-in model on first start. */
export const SYSTEM_ACTOR: RegistryActor = { id: 'system', kind: 'system', tenant: 'default', roles: [], authMethod: 'system' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The principal row to reference, when the actor is one (CLI operators and the system are not). */
export function principalIdOf(actor: RegistryActor): string | null {
  return UUID.test(actor.id) ? actor.id : null;
}

export function toAuditActor(actor: RegistryActor): AuditActor {
  return {
    principalId: actor.id,
    kind: actor.kind,
    tenant: actor.tenant,
    authMethod: actor.authMethod,
    ...(actor.keyId === undefined ? {} : { keyId: actor.keyId }),
    ...(actor.sessionId === undefined ? {} : { sessionId: actor.sessionId }),
  };
}
