import { AuditWriter } from '@attest/audit/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import type { DataSource } from 'typeorm';

const operator = (id: string, roles: string[]) => ({ id, kind: 'user' as const, tenant: 'default', roles, authMethod: 'cli' });

/**
 * Registers, approves (a second person) and promotes a remote model version straight in a gateway's database, the way
 * `attest models register --remote` does, for a gateway that runs as a separate process. The registry's audit events
 * go through a writer of their own, into the same chain the gateway appends to.
 */
export async function registerRemoteModels(dataSource: DataSource, models: { name: string; endpoints: string[] }[]): Promise<void> {
  const writer = new AuditWriter(dataSource, { payloadMode: 'hash', batchMax: 64, flushDelayMs: 0, maxQueue: 1000, dbRole: 'attest_audit_writer', writerId: 'fault-spec-registrar' });
  // No built-in model here: the first gateway start adds it to a registry without versions only.
  const registry = new ModelRegistryService(dataSource, writer, { registerBuiltinModel: false, builtinModelPath: '' });
  try {
    for (const model of models) {
      await registry.register(
        { name: model.name, source: { kind: 'remote_openai', endpoints: model.endpoints, servedModel: 'upstream-model' }, deployment: 'remote' },
        operator('registrant', ['developer']),
      );
      await registry.approve({ model: model.name, version: 1 }, operator('second-person', ['model-approver']));
      await registry.promote({ model: model.name, version: 1 }, operator('second-person', ['model-approver']));
    }
  } finally {
    await writer.close();
  }
}
