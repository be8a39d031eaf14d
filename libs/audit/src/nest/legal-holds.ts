import type { AuditActor, AuditRecorder } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { LEGAL_HOLD_RELEASED_ACTION, LEGAL_HOLD_SET_ACTION, type LegalHoldScope } from '../core/retention';
import { setRoleStatement, withClient } from './audit-database';
import { AuditError, AuditErrorCode } from './audit.errors';

export interface LegalHold {
  id: string;
  reason: string;
  /** ISO 8601; null: open to the past. */
  coversFrom: string | null;
  /** ISO 8601, exclusive; null: open to the future. */
  coversTo: string | null;
  setBy: string;
  setAt: string;
  release: { reason: string; releasedBy: string; releasedAt: string } | null;
}

export interface LegalHoldRequest {
  reason: string;
  coversFrom?: string;
  coversTo?: string;
}

interface HoldRow {
  id: string;
  reason: string;
  covers_from: Date | null;
  covers_to: Date | null;
  set_by: string;
  set_at: Date;
  release_reason: string | null;
  released_by: string | null;
  released_at: Date | null;
}

const MAX_REASON = 500;

function toHold(row: HoldRow): LegalHold {
  return {
    id: row.id,
    reason: row.reason,
    coversFrom: row.covers_from?.toISOString() ?? null,
    coversTo: row.covers_to?.toISOString() ?? null,
    setBy: row.set_by,
    setAt: row.set_at.toISOString(),
    release: row.released_at ? { reason: row.release_reason as string, releasedBy: row.released_by as string, releasedAt: row.released_at.toISOString() } : null,
  };
}

/** The scope a retention event declares for a hold in force. */
export function holdScope(hold: LegalHold): LegalHoldScope {
  return { holdId: hold.id, ...(hold.coversFrom ? { coversFrom: hold.coversFrom } : {}), ...(hold.coversTo ? { coversTo: hold.coversTo } : {}) };
}

function reasonOf(value: unknown): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length === 0 || reason.length > MAX_REASON) throw new AuditError(AuditErrorCode.HoldInvalid, `a legal hold needs a reason of 1 to ${MAX_REASON} characters`);
  return reason;
}

function instantOf(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(instant.getTime())) throw new AuditError(AuditErrorCode.HoldInvalid, `${name} is not an ISO 8601 instant`);
  return instant;
}

/**
 * Legal holds: while one is in force, retention keeps every month it covers (the database's drop function refuses
 * too). Setting and releasing are audit events; the hold rows themselves are append-only (a release is a second row).
 *
 * @example
 * const hold = await holds.set({ reason: 'Case 2026-17', coversFrom: '2025-01-01T00:00:00Z' }, actor);
 */
export class LegalHolds {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: AuditRecorder,
    private readonly dbRole?: string,
  ) {}

  async list(): Promise<LegalHold[]> {
    return withClient(this.dataSource, async (client) => {
      const { rows } = await client.query<HoldRow>(
        `SELECT h.id, h.reason, h.covers_from, h.covers_to, h.set_by, h.set_at, r.reason AS release_reason, r.released_by, r.released_at
         FROM audit_legal_hold h LEFT JOIN audit_legal_hold_release r ON r.hold_id = h.id ORDER BY h.set_at, h.id`,
      );
      return rows.map(toHold);
    });
  }

  async inForce(): Promise<LegalHold[]> {
    return (await this.list()).filter((hold) => hold.release === null);
  }

  /** Places a hold (the row first: should the audit event fail, evidence is preserved, not exposed). */
  async set(request: LegalHoldRequest, actor: AuditActor): Promise<LegalHold> {
    const reason = reasonOf(request.reason);
    const coversFrom = instantOf(request.coversFrom, 'coversFrom');
    const coversTo = instantOf(request.coversTo, 'coversTo');
    if (coversFrom && coversTo && coversFrom >= coversTo) throw new AuditError(AuditErrorCode.HoldInvalid, 'coversFrom must be before coversTo');
    const id = uuidv7();
    await this.inTransaction('INSERT INTO audit_legal_hold (id, reason, covers_from, covers_to, set_by) VALUES ($1, $2, $3, $4, $5)', [id, reason, coversFrom ?? null, coversTo ?? null, actor.principalId]);
    const hold = (await this.list()).find((candidate) => candidate.id === id) as LegalHold;
    await this.recorder.record({
      action: LEGAL_HOLD_SET_ACTION,
      outcome: 'success',
      actor,
      tenant: actor.tenant,
      resource: { type: 'legal_hold', id },
      details: { ...holdScope(hold), reason },
    });
    return hold;
  }

  /** Releases a hold (the audit event first: a release that is not on record does not happen). */
  async release(id: string, request: { reason: string }, actor: AuditActor): Promise<LegalHold> {
    const reason = reasonOf(request.reason);
    const hold = (await this.list()).find((candidate) => candidate.id === id);
    if (!hold) throw new AuditError(AuditErrorCode.HoldNotFound, `no legal hold ${id}`);
    if (hold.release) throw new AuditError(AuditErrorCode.HoldReleased, `legal hold ${id} was released on ${hold.release.releasedAt}`);
    await this.recorder.record({ action: LEGAL_HOLD_RELEASED_ACTION, outcome: 'success', actor, tenant: actor.tenant, resource: { type: 'legal_hold', id }, details: { holdId: id, reason } });
    await this.inTransaction('INSERT INTO audit_legal_hold_release (hold_id, reason, released_by) VALUES ($1, $2, $3)', [id, reason, actor.principalId]);
    return (await this.list()).find((candidate) => candidate.id === id) as LegalHold;
  }

  private async inTransaction(sql: string, parameters: unknown[]): Promise<void> {
    await withClient(this.dataSource, async (client) => {
      await client.query(`BEGIN; ${setRoleStatement(this.dbRole)}`);
      try {
        await client.query(sql, parameters);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new AuditError(AuditErrorCode.Unavailable, `the legal hold was not stored: ${(error as Error).message}`, { cause: error });
      }
    });
  }
}
