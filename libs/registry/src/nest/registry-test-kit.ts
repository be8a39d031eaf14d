// Factories shared by the registry's integration specs: actors, a recording audit fake, model files on disk.
import type { AuditEventDraft, AuditReceipt, AuditRecorder } from '@attest/contracts';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateBuiltinModel } from '../core/builtin-model';
import { APPROVER_ROLE } from '../core/lifecycle';
import type { RegistryActor } from '../core/registry-actor';

export const builtinModelPath = (): string => {
  const path = locateBuiltinModel(__dirname);
  if (!path) throw new Error('models/builtin/stories260k-f32-v3.gguf is missing from the checkout');
  return path;
};

export function actor(id: string, roles: string[] = [APPROVER_ROLE], tenant = 'default'): RegistryActor {
  return { id, kind: 'user', tenant, roles, authMethod: 'session' };
}

export interface RecordingAudit extends AuditRecorder {
  events: AuditEventDraft[];
  /** The next record() rejects, as an audit log that cannot commit would. */
  failNext(): void;
}

export function recordingAudit(): RecordingAudit {
  let fail = false;
  const events: AuditEventDraft[] = [];
  return {
    events,
    failNext: () => {
      fail = true;
    },
    record(event: AuditEventDraft): Promise<AuditReceipt> {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('audit log unavailable'));
      }
      events.push(event);
      return Promise.resolve({ id: `event-${events.length}`, chainId: 'test', sequence: events.length, leafHash: 'x'.repeat(64) });
    },
  };
}

/** A private copy of the built-in model, so a spec may register, tamper with or delete it. */
const copies: string[] = [];

export async function modelCopy(name = 'model.gguf'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'attest-registry-'));
  copies.push(dir);
  const path = join(dir, name);
  await copyFile(builtinModelPath(), path);
  return path;
}

/** Removes every folder {@link modelCopy} made (call in afterAll). */
export async function removeModelCopies(): Promise<void> {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
