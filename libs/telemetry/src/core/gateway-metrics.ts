import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, register as processWideRegistry } from 'prom-client';

export interface ModelLoad {
  versionId: string;
  activeSequences: number;
  queued: number;
}

/**
 * Every metric the gateway exports on /metrics. Labels carry model names, outcomes, policy ids and PII entity types:
 * never a prompt, a response or a PII value.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'attest_requests_total',
    help: 'Governed API requests by operation, model and outcome.',
    labelNames: ['operation', 'model', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'attest_request_duration_seconds',
    help: 'Wall time of governed API requests.',
    labelNames: ['operation', 'model', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly overhead = new Histogram({
    name: 'attest_governance_overhead_seconds',
    help: 'Time Attest spent outside the model per request (authentication, PII, policy, audit commits).',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'attest_tokens_total',
    help: 'Tokens processed, by model and direction (in = prompt, out = completion).',
    labelNames: ['model', 'direction'] as const,
    registers: [this.registry],
  });

  readonly policyDenials = new Counter({
    name: 'attest_policy_denials_total',
    help: 'Requests denied by policy, by the policy id that decided.',
    labelNames: ['policy_id'] as const,
    registers: [this.registry],
  });

  readonly piiFindings = new Counter({
    name: 'attest_pii_findings_total',
    help: 'PII findings by entity type and where they were found (input or output).',
    labelNames: ['type', 'stage'] as const,
    registers: [this.registry],
  });

  readonly auditCommitLatency = new Histogram({
    name: 'attest_audit_commit_seconds',
    help: 'Time from handing an audit event to the writer until its batch committed.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly auditFailures = new Counter({
    name: 'attest_audit_commit_failures_total',
    help: 'Audit events that could not be committed (each refused its request).',
    registers: [this.registry],
  });

  /** Server-side refusals by stable code: an outage before any audit commit (the database down) shows here. */
  readonly serverRefusals = new Counter({
    name: 'attest_server_refusals_total',
    help: 'Requests refused with a 5xx and a stable code (DB_UNREACHABLE, AUDIT_UNAVAILABLE, BACKEND_FAILED, ...).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readModels: () => readonly ModelLoad[] = () => [];

  readonly modelQueue: Gauge<'version_id'> = new Gauge({
    name: 'attest_model_queue_depth',
    help: 'Requests waiting for a sequence, per loaded model version.',
    labelNames: ['version_id'] as const,
    registers: [this.registry],
    collect: () => this.refreshModels(),
  });

  readonly modelActiveSequences: Gauge<'version_id'> = new Gauge({
    name: 'attest_model_active_sequences',
    help: 'Sequences generating now, per loaded model version.',
    labelNames: ['version_id'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'attest_' });
  }

  /** Where queue depth and busy sequences per loaded model are read at every scrape. */
  observeModels(read: () => readonly ModelLoad[]): void {
    this.readModels = read;
  }

  private refreshModels(): void {
    this.modelQueue.reset();
    this.modelActiveSequences.reset();
    for (const model of this.readModels()) {
      this.modelQueue.set({ version_id: model.versionId }, model.queued);
      this.modelActiveSequences.set({ version_id: model.versionId }, model.activeSequences);
    }
  }

  /** Times one audit commit; a rejected commit is counted as a failure and rethrown. */
  async timeAuditCommit<T>(commit: () => Promise<T>): Promise<T> {
    const stop = this.auditCommitLatency.startTimer();
    try {
      return await commit();
    } catch (error) {
      this.auditFailures.inc();
      throw error;
    } finally {
      stop();
    }
  }

  /**
   * Prometheus text exposition format (version 0.0.4): this gateway's metrics plus those libs register on
   * prom-client's process-wide registry (audit self-verification, model integrity failures).
   */
  exposition(): Promise<string> {
    return Registry.merge([this.registry, processWideRegistry]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
