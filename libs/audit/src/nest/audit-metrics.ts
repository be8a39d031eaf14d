import { Gauge, Histogram, register } from 'prom-client';

// On prom-client's process-wide registry, which the gateway's /metrics merges in (as the self-verifier's metrics).
const batchEvents =
  (register.getSingleMetric('attest_audit_batch_events') as Histogram | undefined) ??
  new Histogram({ name: 'attest_audit_batch_events', help: 'Events committed per group-commit batch of the audit writer.', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 5000] });

let committedSize = 0;
let sealedSize = 0;
const unsealed =
  (register.getSingleMetric('attest_audit_unsealed_events') as Gauge | undefined) ??
  new Gauge({ name: 'attest_audit_unsealed_events', help: 'Audit events committed but not yet covered by a checkpoint this process signed (as this process last saw the log).' });

function refreshUnsealed(): void {
  unsealed.set(Math.max(0, committedSize - sealedSize));
}

/** The audit writer's and checkpointer's measurements, for `/metrics`. */
export const auditMetrics = {
  /** A batch of `events` committed, leaving the log at `size` events. */
  batchCommitted(events: number, size: number): void {
    batchEvents.observe(events);
    committedSize = Math.max(committedSize, size);
    refreshUnsealed();
  },
  /** The log was seen at `size` events (the checkpointer reads the head). */
  logSeen(size: number): void {
    committedSize = Math.max(committedSize, size);
    refreshUnsealed();
  },
  /** A checkpoint of `size` events was signed and stored. */
  sealed(size: number): void {
    sealedSize = Math.max(sealedSize, size);
    committedSize = Math.max(committedSize, size);
    refreshUnsealed();
  },
};
