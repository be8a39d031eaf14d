import { AuditCheckpointer, AuditEvidenceService, AuditLogReader } from '@attest/audit/nest';
import { AUDIT_RECORDER, type AuditActor, type AuditRecorder } from '@attest/contracts';
import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AuditEventFilter, filterDetails } from './audit-event-filter';
import { AuditEventSearch } from './audit-event-search';

export interface ExportedBundle {
  bundle: Buffer;
  events: number;
  treeSize: number;
  /** The signed-note verifier key the auditor passes to `attest audit verify --bundle … --key …`. */
  verifierKey: string;
  /** Events of the range that match the on-screen filter (all of them without one). */
  matching: number;
}

/** Where an export stands: counting the range (and the filter's matches), sealing the log, packing, recording. */
export type ExportPhase = 'reading' | 'sealing' | 'packing' | 'recording';

export interface ExportOptions {
  /** `done` of `total` events of the range packed so far (the bundle is built in one pass: 0 until packed). */
  onProgress?: (phase: ExportPhase, done: number, total: number) => void;
  /** Keeps the bundle (a job's temp file) before the export is recorded; a failure here records nothing. */
  stage?: (exported: ExportedBundle) => Promise<void>;
}

/**
 * Evidence bundles for auditors over HTTP: the log is sealed with a fresh signed checkpoint, the events stamped in
 * [from, to) are packed with every leaf hash and checkpoint (docs/audit-format.md), and the export itself is an audit
 * event committed before the bytes leave (fail closed). A bundle carries whole events, so a range that holds another
 * tenant's events is refused here; the operator exports those with the CLI.
 *
 * With an on-screen filter the bundle holds exactly the events the console shows (decided on each event's signed
 * bytes) beside every leaf hash: its signed manifest names their positions and the filter (docs/audit-format.md §7),
 * so it verifies like any bundle and cannot hide that events were left out. The filter is recorded with the export.
 */
@Injectable()
export class AuditExportService {
  private readonly reader: AuditLogReader;

  constructor(
    private readonly dataSource: DataSource,
    private readonly evidence: AuditEvidenceService,
    private readonly checkpointer: AuditCheckpointer,
    @Inject(AUDIT_RECORDER) private readonly audit: AuditRecorder,
  ) {
    this.reader = new AuditLogReader(dataSource);
  }

  /** Refuses (403) a range that holds another tenant's events: checked when the export is asked for, and again when it runs. */
  async checkRange(range: { from: Date; to: Date }, tenant: string): Promise<void> {
    const foreign: { found: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM audit_event WHERE ts >= $1 AND ts < $2 AND tenant <> $3) AS found`,
      [range.from, range.to, tenant],
    );
    if (foreign[0]?.found) throw new ForbiddenException("The range holds other tenants' events; ask the operator to export it with the CLI.");
  }

  async export(range: { from: Date; to: Date }, actor: AuditActor, filter: Omit<AuditEventFilter, 'from' | 'to'> = {}, options: ExportOptions = {}): Promise<ExportedBundle> {
    const progress = options.onProgress ?? (() => undefined);
    await this.checkRange(range, actor.tenant);
    const { firstSeq, endSeq } = await this.reader.seqRange(range.from, range.to);
    progress('reading', 0, endSeq - firstSeq);
    // Without a filter every event of the range is exported (the range holds no other tenant's).
    const filtered = Object.keys(filter).length > 0;
    const selection = filtered ? await new AuditEventSearch(this.dataSource).selection(actor.tenant, { ...filter, from: range.from.toISOString(), to: range.to.toISOString() }) : undefined;
    progress('sealing', 0, endSeq - firstSeq);
    await this.checkpointer.checkpoint();
    progress('packing', 0, endSeq - firstSeq);
    const signer = this.checkpointer.signer;
    const result = await this.evidence.export(range, signer, selection);
    const exported = { ...result, verifierKey: signer.verifierKey, matching: result.events };
    progress('recording', result.events, result.events);
    await options.stage?.(exported);
    await this.audit.record({
      action: 'audit.exported',
      outcome: 'success',
      actor,
      tenant: actor.tenant,
      resource: { type: 'audit_log' },
      details: { from: range.from.toISOString(), to: range.to.toISOString(), events: result.events, treeSize: result.treeSize, bytes: result.bundle.length, matching: exported.matching, ...filterDetails(filter) },
    });
    return exported;
  }
}
