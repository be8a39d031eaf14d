import type { VerifyReport } from '@attest/audit';
import { AuditEvidenceService } from '@attest/audit/nest';
import type { AuditActor } from '@attest/contracts';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toErrorResponse } from '../errors/error-response';
import { AuditConsoleService } from './audit-console.service';
import type { AuditEventFilter } from './audit-event-filter';
import { AuditExportService, type ExportedBundle } from './audit-export.service';
import { AuditJobError, AuditJobErrorCode } from './audit-job.errors';
import { type AuditJob, AuditJobRegistry, type AuditJobView, type ExportJobResult, type JobOwner, type StagedBundle, viewOf } from './audit-job-registry';
import { auditJobsConfig } from './audit-jobs.config';

export interface ExportJobRequest {
  from: Date;
  to: Date;
  filter: Omit<AuditEventFilter, 'from' | 'to'>;
}

/** How long shutdown waits for running jobs before it deletes the bundles anyway. */
const SHUTDOWN_WAIT_MS = 10_000;
const SWEEP_EVERY_MS = 60_000;

function ownerOf(actor: AuditActor): JobOwner {
  return { principalId: actor.principalId, tenant: actor.tenant };
}

/**
 * The auditor console's long acts as background jobs of this replica: verifying the whole log and exporting an evidence
 * bundle. The caller was authorised when it asked; the job records its act exactly as the synchronous route did (a
 * verification after it ends; an export after its bundle is staged and before anyone can fetch it). Finished jobs and
 * their bundles (temp files, mode 0600, under ATTEST_DATA_DIR/audit-jobs) are kept 15 minutes, and deleted at shutdown.
 */
@Injectable()
export class AuditJobsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('audit-jobs');
  private readonly registry = new AuditJobRegistry();
  private readonly folder = join(auditJobsConfig.load().dataDir, 'audit-jobs');
  private readonly pending = new Set<Promise<void>>();
  private sweeper?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly console: AuditConsoleService,
    private readonly exports: AuditExportService,
    private readonly evidence: AuditEvidenceService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.removeOrphans();
    this.sweeper = setInterval(() => void this.sweep().catch((error: unknown) => this.logger.warn(`expiring audit jobs failed: ${String(error)}`)), SWEEP_EVERY_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
    await Promise.all(this.registry.all().map((job) => this.discardBundle(job)));
  }

  startVerify(actor: AuditActor): { jobId: string } {
    const job = this.registry.open('verify', ownerOf(actor));
    this.run(job, async (): Promise<VerifyReport> => {
      job.total = (await this.evidence.head()).size;
      const report = await this.console.verifyLog(actor, (done, total) => Object.assign(job, { done, total }));
      job.done = job.total;
      return report;
    });
    return { jobId: job.id };
  }

  startExport(request: ExportJobRequest, actor: AuditActor): { jobId: string } {
    const job = this.registry.open('export', ownerOf(actor));
    const fileName = `attest-evidence-${request.from.toISOString().slice(0, 10)}-${request.to.toISOString().slice(0, 10)}.tar`;
    this.run(job, async (): Promise<ExportJobResult> => {
      const exported = await this.exports.export({ from: request.from, to: request.to }, actor, request.filter, {
        onProgress: (phase, done, total) => Object.assign(job, { phase, done, total }),
        stage: async (bundle) => {
          job.bundle = await this.stage(job.id, fileName, bundle);
        },
      });
      return { events: exported.events, matching: exported.matching, treeSize: exported.treeSize, bytes: exported.bundle.length };
    });
    return { jobId: job.id };
  }

  async status(id: string, owner: JobOwner): Promise<AuditJobView> {
    await this.sweep();
    return viewOf(this.registry.find(id, owner));
  }

  /** The finished export's bundle, opened for reading (an expiry meanwhile unlinks the file, not the open stream). */
  async openBundle(id: string, owner: JobOwner): Promise<{ stream: ReadStream; bundle: StagedBundle }> {
    await this.sweep();
    const job = this.registry.find(id, owner);
    if (job.kind !== 'export') throw new AuditJobError(AuditJobErrorCode.NotFound, `Audit job ${job.id} verifies the log; it has no bundle.`);
    if (job.state === 'running') throw new AuditJobError(AuditJobErrorCode.NotReady, 'The export is still running; fetch the bundle once the job is done.');
    if (!job.bundle) throw new AuditJobError(AuditJobErrorCode.NotReady, `The export failed, so there is no bundle: ${job.error?.message ?? 'see the job'}`);
    const handle = await open(job.bundle.path, 'r');
    return { stream: handle.createReadStream(), bundle: job.bundle };
  }

  /** Forgets jobs finished 15 minutes before `now` and deletes their bundles; answers how many went. */
  async sweep(now = Date.now()): Promise<number> {
    const expired = this.registry.expire(now);
    await Promise.all(expired.map((job) => this.discardBundle(job)));
    return expired.length;
  }

  private run(job: AuditJob, work: () => Promise<VerifyReport | ExportJobResult>): void {
    const settled = work().then(
      (result) => {
        job.phase = undefined;
        this.registry.finish(job, { result });
      },
      async (error: unknown) => {
        await this.discardBundle(job).catch((reason: unknown) => this.logger.warn(`deleting the bundle of audit job ${job.id} failed: ${String(reason)}`));
        const { status, body } = toErrorResponse(error);
        if (status >= 500) this.logger.error(`audit ${job.kind} job ${job.id} failed`, error instanceof Error ? error.stack : String(error));
        this.registry.finish(job, { error: { code: body.error.code ?? 'internal_error', message: body.error.message } });
      },
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /** Writes the bundle where only this process's user can read it; refused once shutdown began (it would be left behind). */
  private async stage(id: string, fileName: string, exported: ExportedBundle): Promise<StagedBundle> {
    if (this.closing) throw new AuditJobError(AuditJobErrorCode.NotReady, 'The gateway is shutting down; start the export again.');
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const path = join(this.folder, `${id}.tar`);
    await writeFile(path, exported.bundle, { mode: 0o600, flag: 'wx' });
    return { path, fileName, verifierKey: exported.verifierKey, events: exported.events, matching: exported.matching, bytes: exported.bundle.length };
  }

  private async discardBundle(job: AuditJob): Promise<void> {
    const path = job.bundle?.path;
    job.bundle = undefined;
    if (path) await rm(path, { force: true });
  }

  /**
   * Bundles left by a process that stopped without its shutdown hook. A live replica's bundles are never older than
   * the 15 minutes a job is kept (plus a sweep), so older files sharing this folder belong to no job.
   */
  private async removeOrphans(): Promise<void> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const before = Date.now() - this.registry.limits.keepMs - 2 * SWEEP_EVERY_MS;
    for (const name of names.filter((entry) => entry.endsWith('.tar'))) {
      const path = join(this.folder, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < before) await rm(path, { force: true });
    }
  }
}
