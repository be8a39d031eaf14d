import { type AuditLeaf, isSealedContent, parseVerifierKey, readLeaf, type TrustedKey, verifyInclusionEvidence, type VerifyReport } from '@attest/audit';
import { AuditCheckpointer, AuditError, AuditErrorCode, AuditEvidenceService, AuditLogReader, DataSubjectKeys, type OpenedContent } from '@attest/audit/nest';
import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AuditEventFilter, filterDetails } from './audit-event-filter';
import { AuditEventSearch } from './audit-event-search';

/** Events between two progress updates of a console verification: fine enough for a progress bar, cheap on big logs. */
const PROGRESS_EVERY = 5_000;

/** Where an event stands in the tamper-evident log. */
export type EventIntegrity =
  | { status: 'verified'; seq: number; treeSize: number; checkpoint: string }
  | { status: 'pending'; seq: number; reason: string }
  | { status: 'failed'; seq: number; reason: string; checkpoint: string };

/** What an auditor sees of sealed raw content: the text while the subject's key lives, or when it was erased. */
export type RawContentView = OpenedContent & { eventId: string };

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

/** The auditor's search (see AuditEventFilter), with the keyset cursor and the page size. */
export interface EventListQuery extends AuditEventFilter {
  /** Keyset cursor: only events with a smaller position (the previous page's `nextBefore`). */
  before?: number;
  limit: number;
}

export interface EventPage {
  events: EventSummary[];
  /** Cursor of the next (older) page; null at the start of the log. */
  nextBefore: number | null;
}

function summaryOf(event: AuditLeaf): EventSummary {
  const resource = event.resource ? [event.resource.type, event.resource.name ?? event.resource.id].filter(Boolean).join(' ') : null;
  return { seq: event.seq, id: event.id, ts: event.ts, action: event.action, outcome: event.outcome, actorId: event.actor.principalId, resource, requestId: event.requestId ?? null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The auditor's reads, each recorded in the log it reads (who looked at what; recorded before the answer, fail closed).
 * The integrity check uses the gateway's own signing key as the trusted key, never a key read from the database.
 */
@Injectable()
export class AuditConsoleService {
  private readonly reader: AuditLogReader;
  private readonly search: AuditEventSearch;

  constructor(
    dataSource: DataSource,
    private readonly evidence: AuditEvidenceService,
    private readonly checkpointer: AuditCheckpointer,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
    private readonly subjectKeys: DataSubjectKeys,
  ) {
    this.reader = new AuditLogReader(dataSource);
    this.search = new AuditEventSearch(dataSource);
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

  /** Opens the raw content sealed in one event of the actor's tenant; the opening is committed first (fail closed). */
  async rawContent(id: string, actor: AuditActor): Promise<RawContentView> {
    if (!UUID.test(id)) throw new AuditError(AuditErrorCode.EventNotFound, `no audit event ${id.slice(0, 64)}`);
    const event = readLeaf((await this.reader.findEvent(id)).canonical);
    const sealed = event.payload?.raw;
    if (event.tenant !== actor.tenant || !isSealedContent(sealed)) throw new AuditError(AuditErrorCode.EventNotFound, `no raw content in audit event ${id}`);
    await this.audit.record({ action: 'audit.raw_content_read', outcome: 'success', actor, tenant: actor.tenant, resource: { type: 'audit_event', id } });
    return { eventId: id, ...(await this.subjectKeys.open(actor.tenant, sealed)) };
  }

  /**
   * The actor's tenant's events, newest first, in keyset pages (AuditEventSearch). The search is recorded as one event
   * with its filters, committed before the answer (fail closed).
   */
  async listEvents(query: EventListQuery, actor: AuditActor): Promise<EventPage> {
    const { before, limit, ...filter } = query;
    const page = await this.search.page(actor.tenant, filter, { ...(before === undefined ? {} : { before }), limit });
    const events = page.events.map(summaryOf);
    await this.audit.record({
      action: 'audit.events_listed',
      outcome: 'success',
      actor,
      tenant: actor.tenant,
      resource: { type: 'audit_log' },
      details: { ...filterDetails(query), returned: events.length },
    });
    return { events, nextBefore: page.nextBefore };
  }

  /**
   * Verifies the whole log (chain, leaf hashes, every checkpoint's root and signature); `onProgress` hears how many of
   * the log's events are checked (AuditEvidenceService's steps). The verification is recorded after it ends.
   */
  async verifyLog(actor: AuditActor, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
    const report = await this.evidence.verify({ trustedKeys: this.trustedKeys(), ...(onProgress ? { onProgress, progressEvery: PROGRESS_EVERY } : {}) });
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
