import type { AuditLeaf } from './audit-event';
import { RetentionAuditor } from './retention';
import { ShredAuditor, shredFactsOf } from './shred-auditor';
import type { VerifyFailure, VerifyReport } from './verify-failure';

const INCOMPLETE_LISTED = 100;

/**
 * What the verifier learns from the acts in the log, beyond its bytes: retention drops and legal holds, erasures of
 * data subject keys, and admitted requests still waiting for their response event.
 */
export class ActLedger {
  private readonly retention: RetentionAuditor;
  private readonly shred = new ShredAuditor();
  private readonly openRequests = new Map<string, number>();

  constructor(minRetentionMonths?: number) {
    this.retention = new RetentionAuditor(minRetentionMonths);
  }

  /** A leaf that passed every byte check; returns the rule it breaks, if any (then nothing of it is counted). */
  observe(leaf: AuditLeaf): Omit<VerifyFailure, 'seq' | 'eventId'> | undefined {
    const failure = this.retention.observe(leaf) ?? this.shred.observe(shredFactsOf(leaf));
    if (failure) return failure;
    if (!leaf.requestId) return undefined;
    // A refused request is complete as it stands: only an admitted one owes a response event.
    if (leaf.action === 'inference.request' && leaf.outcome === 'success') this.requestOpened(leaf.requestId, leaf.seq);
    else if (leaf.action === 'inference.response') this.requestClosed(leaf.requestId);
    return undefined;
  }

  requestOpened(requestId: string, seq: number): void {
    this.openRequests.set(requestId, seq);
  }

  requestClosed(requestId: string): void {
    this.openRequests.delete(requestId);
  }

  report(): Pick<VerifyReport, 'incompleteRequests' | 'retentionDrops' | 'shreddedPayloads' | 'erasures'> {
    const requestIds = [...this.openRequests.keys()];
    return {
      incompleteRequests: { count: requestIds.length, requestIds: requestIds.slice(0, INCOMPLETE_LISTED) },
      retentionDrops: this.retention.drops,
      shreddedPayloads: this.shred.shreddedPayloads,
      erasures: this.shred.erasures,
    };
  }
}
