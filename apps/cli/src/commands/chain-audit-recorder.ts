import { AuditWriter, loadAuditSettings } from '@attest/audit/nest';
import type { AuditRecorder } from '@attest/contracts';
import type { DatabaseConnection } from '@attest/db';

/**
 * CLI acts (keys, models, policies) go into the same tamper-evident chain as the gateway's: each `record` resolves
 * only after its batch commits, so a refused record fails the command (fail closed).
 */
export function chainAuditRecorder(connection: DatabaseConnection): AuditRecorder {
  return new AuditWriter(connection.dataSource, loadAuditSettings());
}
