import type { AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';

/** The audit port's edge in tests: keeps every event, or refuses them all when `failing` is set. */
export class RecordingAuditRecorder implements AuditRecorder {
  readonly events: AuditEventDraft[] = [];
  failing = false;

  async record(event: AuditEventDraft): Promise<AuditReceipt> {
    if (this.failing) throw new Error('audit log unavailable');
    this.events.push(event);
    return { id: String(this.events.length), chainId: 'test', sequence: this.events.length, leafHash: '0'.repeat(64) };
  }

  actions(): string[] {
    return this.events.map((event) => event.action);
  }
}
