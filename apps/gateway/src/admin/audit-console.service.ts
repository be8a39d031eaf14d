import { type AuditLeaf, parseVerifierKey, readLeaf, type TrustedKey, verifyInclusionEvidence, type VerifyReport } from '@attest/audit';
import { AuditCheckpointer, AuditError, AuditErrorCode, AuditEvidenceService, AuditLogReader } from '@attest/audit/nest';
import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where an event stands in the tamper-evident log. */
export type EventIntegrity =
  | { status: 'verified'; seq: number; treeSize: number; checkpoint: string }
  | { status: 'pending'; seq: number; reason: string }
  | { status: 'failed'; seq: number; reason: string; checkpoint: string };

export interface EventDetail {
  event: AuditLeaf;
  integrity: EventIntegrity;
}

/** One line of the event list: enough to recognise an event and open it. */
export interface EventSummary {
  seq: number;
  id: string;
  ts: string;
  action: string;
  outcome: string;
  actorId: string;
  resource: string | null;
  requestId: string | null;
}

export interface EventListQuery {
  /** Keyset cursor: only events with a smaller position (the previous page's `nextBefore`). */
  before?: number;
  /** Action, or a prefix ending in `.` (`api_key.`). */
  action?: string;
  outcome?: string;
  limit: number;
}

export interface EventPage {
  events: EventSummary[];
  /** Cursor of the next (older) page; null at the start of the log. */
  nextBefore: number | null;
}

/** Rows read per step backwards, and at most per page: a rare filter gives a short page and a cursor, never a long scan. */
const WINDOW = 500;
const MAX_SCANNED = 20_000;

function summaryOf(event: AuditLeaf): EventSummary {
  const resource = event.resource ? [event.resource.type, event.resource.name ?? event.resource.id].filter(Boolean).join(' ') : null;
  return { seq: event.seq, id: event.id, ts: event.ts, action: event.action, outcome: event.outcome, actorId: event.actor.principalId, resource, requestId: event.requestId ?? null };
}

function matches(event: AuditLeaf, tenant: string, query: EventListQuery): boolean {
  if (event.tenant !== tenant) return false;
  if (query.outcome && event.outcome !== query.outcome) return false;
  if (query.action) return query.action.endsWith('.') ? event.action.startsWith(query.action) : event.action === query.action;
  return true;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The auditor's reads, each recorded in the log it reads (who looked at what; recorded before the answer, fail closed).
 * The integrity check uses the gateway's own signing key as the trusted key, never a key read from the database.
 */
@Injectable()
export class AuditConsoleService {
  private readonly reader: AuditLogReader;

  constructor(
    dataSource: DataSource,
    private readonly evidence: AuditEvidenceService,
    private readonly checkpointer: AuditCheckpointer,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
  ) {
    this.reader = new AuditLogReader(dataSource);
  }

  /** One event of the actor's tenant with its inclusion proof checked against the signed checkpoint covering it. */
  async eventDetail(id: string, actor: AuditActor): Promise<EventDetail> {
    if (!UUID.test(id)) throw new AuditError(AuditErrorCode.EventNotFound, `no audit event ${id.slice(0, 64)}`);
    const stored = await this.reader.findEvent(id);
    const event = readLeaf(stored.canonical);
    // Another tenant's event does not exist for this auditor.
    if (event.tenant !== actor.tenant) throw new AuditError(AuditErrorCode.EventNotFound, `no audit event ${id}`);
    await this.audit.record({ action: 'audit.event_viewed', outcome: 'success', actor, tenant: actor.tenant, resource: { type: 'audit_event', id } });
    return { event, integrity: await this.integrityOf(id, stored.seq) };
  }

  /**
   * The actor's tenant's events, newest first, paged by log position (keyset on `seq`, never OFFSET: a page costs the
   * same at event 10 and at event 10 million). Filters apply to the rows read; the list is recorded as one event.
   */
  async listEvents(query: EventListQuery, actor: AuditActor): Promise<EventPage> {
    const head = await this.reader.head();
    let end = Math.min(query.before ?? head.size, head.size);
    const events: EventSummary[] = [];
    let scanned = 0;
    while (end > 0 && events.length < query.limit && scanned < MAX_SCANNED) {
      const start = Math.max(0, end - WINDOW);
      const window: AuditLeaf[] = [];
      for await (const page of this.reader.eventPages(start, end)) for (const row of page) window.push(readLeaf(row.canonical));
      scanned += end - start;
      for (const event of window.reverse()) {
        if (events.length === query.limit) {
          end = event.seq + 1;
          break;
        }
        if (matches(event, actor.tenant, query)) events.push(summaryOf(event));
        end = event.seq;
      }
      if (window.length === 0) end = start;
    }
    await this.audit.record({
      action: 'audit.events_listed',
      outcome: 'success',
      actor,
      tenant: actor.tenant,
      resource: { type: 'audit_log' },
      details: { ...(query.action ? { action: query.action } : {}), ...(query.outcome ? { outcome: query.outcome } : {}), ...(query.before === undefined ? {} : { before: query.before }), returned: events.length },
    });
    return { events, nextBefore: end > 0 ? end : null };
  }

  /** Verifies the whole log (chain, leaf hashes, every checkpoint's root and signature). */
  async verifyLog(actor: AuditActor): Promise<VerifyReport> {
    const report = await this.evidence.verify({ trustedKeys: this.trustedKeys() });
    await this.audit.record({
      action: 'audit.log_verified',
      outcome: report.ok ? 'success' : 'failure',
      actor,
      tenant: actor.tenant,
      resource: { type: 'audit_log' },
      details: { size: report.size, sealedSize: report.sealedSize, ...(report.failure ? { failure: report.failure.code } : {}) },
    });
    return report;
  }

  private async integrityOf(id: string, seq: number): Promise<EventIntegrity> {
    let proof;
    try {
      proof = await this.evidence.prove(id);
    } catch (error) {
      if (error instanceof AuditError && error.code === AuditErrorCode.EventNotFound) {
        return { status: 'pending', seq, reason: 'Not yet covered by a signed checkpoint; the next checkpoint will seal it.' };
      }
      throw error;
    }
    const check = verifyInclusionEvidence(proof, this.trustedKeys());
    return check.ok
      ? { status: 'verified', seq, treeSize: check.treeSize, checkpoint: proof.checkpoint }
      : { status: 'failed', seq, reason: check.reason, checkpoint: proof.checkpoint };
  }

  private trustedKeys(): TrustedKey[] {
    return [{ verifier: parseVerifierKey(this.checkpointer.signer.verifierKey) }];
  }
}
