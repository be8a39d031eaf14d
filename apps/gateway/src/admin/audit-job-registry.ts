import type { VerifyReport } from '@attest/audit';
import { randomUUID } from 'node:crypto';
import { AuditJobError, AuditJobErrorCode } from './audit-job.errors';
import type { ExportPhase } from './audit-export.service';

export type AuditJobKind = 'verify' | 'export';
export type AuditJobState = 'running' | 'done' | 'failed';

/** Who started a job: only the same person in the same tenant may read it or fetch its bundle. */
export interface JobOwner {
  principalId: string;
  tenant: string;
}

/** What a finished export tells (its bundle is fetched separately). */
export interface ExportJobResult {
  events: number;
  matching: number;
  treeSize: number;
  bytes: number;
}

/** A finished export's bundle, kept in a temp file until the job expires. */
export interface StagedBundle {
  path: string;
  fileName: string;
  verifierKey: string;
  events: number;
  matching: number;
  bytes: number;
}

export interface AuditJob {
  readonly id: string;
  readonly kind: AuditJobKind;
  readonly owner: JobOwner;
  readonly startedAt: Date;
  state: AuditJobState;
  done: number;
  total: number;
  phase?: ExportPhase;
  finishedAt?: Date;
  result?: VerifyReport | ExportJobResult;
  error?: { code: string; message: string };
  bundle?: StagedBundle;
}

/** `GET /api/audit/jobs/:id`. */
export interface AuditJobView {
  id: string;
  kind: AuditJobKind;
  state: AuditJobState;
  done: number;
  total: number;
  phase?: ExportPhase;
  startedAt: string;
  finishedAt?: string;
  result?: VerifyReport | ExportJobResult;
  error?: { code: string; message: string };
}

export interface AuditJobLimits {
  /** Running jobs one person may have. */
  perPerson: number;
  /** Running jobs on this replica, everyone together: each one reads the whole log or a whole range. */
  perReplica: number;
  /** How long a finished job (and its bundle) is kept. */
  keepMs: number;
}

export const AUDIT_JOB_LIMITS: AuditJobLimits = { perPerson: 2, perReplica: 4, keepMs: 15 * 60_000 };

export function viewOf(job: AuditJob): AuditJobView {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    done: job.done,
    total: job.total,
    ...(job.phase ? { phase: job.phase } : {}),
    startedAt: job.startedAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}

/**
 * The jobs of this replica, in memory: the caps, ownership and expiry. Nothing here is shared between replicas, so
 * a client polls the replica that started its job (docs/operations.md §2).
 */
export class AuditJobRegistry {
  private readonly jobs = new Map<string, AuditJob>();

  constructor(readonly limits: AuditJobLimits = AUDIT_JOB_LIMITS) {}

  /** A new running job; refused (429) past either cap. Synchronous, so two requests cannot both take the last place. */
  open(kind: AuditJobKind, owner: JobOwner, now = new Date()): AuditJob {
    const running = this.running();
    if (running.filter((job) => sameOwner(job.owner, owner)).length >= this.limits.perPerson) {
      throw new AuditJobError(AuditJobErrorCode.Limit, `You already have ${this.limits.perPerson} audit jobs running (the most one person may run); wait for one to finish, then try again.`);
    }
    if (running.length >= this.limits.perReplica) {
      throw new AuditJobError(AuditJobErrorCode.Limit, `This gateway is already running ${this.limits.perReplica} audit jobs (its limit); try again in a minute.`);
    }
    const job: AuditJob = { id: randomUUID(), kind, owner, startedAt: now, state: 'running', done: 0, total: 0 };
    this.jobs.set(job.id, job);
    return job;
  }

  /** The owner's job; anyone else's, or an expired one, does not exist for the caller (404). */
  find(id: string, owner: JobOwner): AuditJob {
    const job = this.jobs.get(id);
    if (!job || !sameOwner(job.owner, owner)) throw new AuditJobError(AuditJobErrorCode.NotFound, `No audit job ${id.slice(0, 64)}: jobs are kept for ${this.limits.keepMs / 60_000} minutes after they finish, for the person who started them only.`);
    return job;
  }

  finish(job: AuditJob, outcome: { result: VerifyReport | ExportJobResult } | { error: { code: string; message: string } }, now = new Date()): void {
    Object.assign(job, outcome, { state: 'result' in outcome ? 'done' : 'failed', finishedAt: now });
  }

  /** Forgets the jobs finished more than `keepMs` before `now`, and answers them (their bundles are the caller's to delete). */
  expire(now: number): AuditJob[] {
    const expired = [...this.jobs.values()].filter((job) => job.finishedAt !== undefined && job.finishedAt.getTime() + this.limits.keepMs <= now);
    for (const job of expired) this.jobs.delete(job.id);
    return expired;
  }

  running(): AuditJob[] {
    return [...this.jobs.values()].filter((job) => job.state === 'running');
  }

  all(): AuditJob[] {
    return [...this.jobs.values()];
  }
}

function sameOwner(a: JobOwner, b: JobOwner): boolean {
  return a.principalId === b.principalId && a.tenant === b.tenant;
}
