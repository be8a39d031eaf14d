import type { AuditActor, AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';
import { PolicyBundle } from '../core/policy-bundle';
import { TEST_SCHEMA } from '../core/policy-test-fixtures';

/** Records what it is given; `failNext` makes the next record reject, as a database that cannot commit would. */
export class RecordingAuditRecorder implements AuditRecorder {
  readonly events: AuditEventDraft[] = [];
  failNext = false;

  async record(event: AuditEventDraft): Promise<AuditReceipt> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('audit store unavailable');
    }
    this.events.push(event);
    return { id: `e${this.events.length}`, chainId: 'test', sequence: this.events.length, leafHash: '0'.repeat(64) };
  }
}

export const cliActor: AuditActor = { principalId: 'cli', kind: 'system', tenant: 'default', authMethod: 'cli' };

/** A valid bundle whose single policy is an allow or a deny of everything. */
export function bundleThat(effect: 'allows' | 'denies'): PolicyBundle {
  const policy = effect === 'allows' ? '@id("all") permit (principal, action, resource);' : '@id("none") forbid (principal, action, resource);';
  return PolicyBundle.fromFiles({ 'attest.cedarschema': TEST_SCHEMA, 'main.cedar': policy });
}
