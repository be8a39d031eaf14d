import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { parseVerifierKey } from '../core/signed-note';
import type { VerifyReport } from '../core/verify-failure';
import type { AuditCheckpointer } from './audit-checkpointer';
import { AuditEvidenceService } from './audit-evidence.service';
import type { CheckpointSink } from './checkpoint-file-sink';

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

/**
 * Verifies the whole log on a schedule against the gateway's own key and the checkpoint sink, and exports the result
 * as metrics (`attest_audit_verify_ok` 1/0, `attest_audit_verify_events`, `attest_audit_verify_last_run_seconds`);
 * a failure is logged at error level with its reason, for alerting.
 *
 * @example
 * const selfVerifier = new AuditSelfVerifier(dataSource, checkpointer, sink, 3_600_000);
 * await selfVerifier.runOnce();
 */
export class AuditSelfVerifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditSelfVerifier');
  private readonly ok = gauge('attest_audit_verify_ok', '1 when the last scheduled audit log verification passed, 0 when it failed');
  private readonly events = gauge('attest_audit_verify_events', 'events in the audit log at the last scheduled verification');
  private readonly lastRun = gauge('attest_audit_verify_last_run_seconds', 'Unix time of the last scheduled audit log verification');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<VerifyReport> | undefined;
  lastReport: VerifyReport | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly checkpointer: AuditCheckpointer,
    private readonly sink: CheckpointSink,
    private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.runOnce().catch((error: unknown) => this.logger.error(`audit self-verify could not run: ${(error as Error).message}`)), this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  runOnce(): Promise<VerifyReport> {
    this.running ??= this.verify().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async verify(): Promise<VerifyReport> {
    const report = await new AuditEvidenceService(this.dataSource).verify({
      trustedKeys: [{ verifier: parseVerifierKey(this.checkpointer.signer.verifierKey) }],
      lastSeen: await this.sink.readAll(),
    });
    this.lastReport = report;
    this.ok.set(report.ok ? 1 : 0);
    this.events.set(report.size);
    this.lastRun.set(Math.floor(Date.now() / 1000));
    if (!report.ok) {
      const failure = report.failure;
      this.logger.error(`AUDIT LOG VERIFICATION FAILED at event ${failure?.seq ?? '-'}: [${failure?.code}] ${failure?.message}`);
    }
    return report;
  }
}
