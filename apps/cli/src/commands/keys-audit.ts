import type { AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';
import { randomUUID } from 'node:crypto';

/**
 * Until @attest/audit offers its writer outside Nest, the CLI writes each key event as one JSON line on stderr
 * (`audit: {...}`), so an operator can capture it; the lead replaces this with the audit chain writer.
 */
export function interimCliAuditRecorder(): AuditRecorder {
  return {
    async record(event: AuditEventDraft): Promise<AuditReceipt> {
      const id = randomUUID();
      process.stderr.write(`audit: ${JSON.stringify({ id, at: new Date().toISOString(), ...event })}\n`);
      return { id, chainId: 'cli-stderr', sequence: 0, leafHash: '' };
    },
  };
}
