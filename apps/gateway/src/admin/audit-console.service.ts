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
