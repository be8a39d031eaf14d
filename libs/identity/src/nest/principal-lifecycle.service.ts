import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import { principalIdOf } from './audit-actor';
import { returnedRows } from './sql-runner';

export interface DeactivationResult {
  principalId: string;
  endedSessions: number;
  revokedKeys: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Deactivation as SCIM (`active: false`) and admins need it: in one transaction the principal is disabled, its
 * sessions end and its keys are revoked, and the act is recorded, so nothing it held works one request later.
 *
 * @example
 * await lifecycle.deactivate(principalId, actor, 'left the company');
 */
export class PrincipalLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deactivate(principalId: string, actor: AuditActor, reason: string, tenant = actor.tenant): Promise<DeactivationResult> {
    if (!UUID.test(principalId)) throw new IdentityError(IdentityErrorCode.PrincipalNotFound);
    const at = this.now();
    return this.dataSource.transaction(async (manager) => {
      const disabled = returnedRows(
        await manager.query<{ id: string }[] | [{ id: string }[], number]>(
          `UPDATE principal SET disabled_at = COALESCE(disabled_at, $3), updated_at = $3 WHERE id = $1 AND tenant_id = $2 RETURNING id`,
          [principalId, tenant, at],
        ),
      );
      if (disabled.length === 0) throw new IdentityError(IdentityErrorCode.PrincipalNotFound);
      const sessions = returnedRows(
        await manager.query<{ id: string }[] | [{ id: string }[], number]>(
          `UPDATE auth_session SET ended_at = $2, end_reason = 'deactivated' WHERE principal_id = $1 AND ended_at IS NULL RETURNING id`,
          [principalId, at],
        ),
      );
      const keys = returnedRows(
        await manager.query<{ id: string }[] | [{ id: string }[], number]>(
          `UPDATE api_key SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE principal_id = $1 AND revoked_at IS NULL RETURNING id`,
          [principalId, at, principalIdOf(actor), `principal deactivated: ${reason}`],
        ),
      );
      await this.audit.record({
        action: 'principal.deactivated',
        outcome: 'success',
        actor,
        tenant,
        resource: { type: 'principal', id: principalId },
        details: { reason, endedSessions: sessions.length, revokedKeys: keys.map((key) => key.id) },
      });
      return { principalId, endedSessions: sessions.length, revokedKeys: keys.length };
    });
  }

  /** Lets the principal sign in again; revoked keys stay revoked (issue new ones). */
  async reactivate(principalId: string, actor: AuditActor, tenant = actor.tenant): Promise<void> {
    if (!UUID.test(principalId)) throw new IdentityError(IdentityErrorCode.PrincipalNotFound);
    await this.dataSource.transaction(async (manager) => {
      const rows = returnedRows(
        await manager.query<{ id: string }[] | [{ id: string }[], number]>(
          `UPDATE principal SET disabled_at = NULL, updated_at = $3 WHERE id = $1 AND tenant_id = $2 RETURNING id`,
          [principalId, tenant, this.now()],
        ),
      );
      if (rows.length === 0) throw new IdentityError(IdentityErrorCode.PrincipalNotFound);
      await this.audit.record({ action: 'principal.reactivated', outcome: 'success', actor, tenant, resource: { type: 'principal', id: principalId } });
    });
  }
}
