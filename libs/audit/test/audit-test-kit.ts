import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEventDraft } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { generateEd25519PrivateKey, parseVerifierKey } from '../src/core/signed-note';
import type { TrustedKey } from '../src/core/trusted-keys';
import { AuditCheckpointer } from '../src/nest/audit-checkpointer';
import { AuditWriter, type AuditWriterOptions } from '../src/nest/audit-writer';
import { CheckpointFileSink } from '../src/nest/checkpoint-file-sink';

/** A draft as a lib would record it; `index` varies the request id and the actor. */
export function draftOf(index: number, overrides: Partial<AuditEventDraft> = {}): AuditEventDraft {
  return {
    action: index % 2 === 0 ? 'inference.request' : 'inference.response',
    outcome: 'success',
    tenant: 'default',
    actor: { principalId: `user-${index % 7}`, kind: 'user', tenant: 'default', authMethod: 'api_key', keyId: 'key-1', sourceIp: '127.0.0.1' },
    resource: { type: 'model', name: 'stories', version: '1' },
    requestId: `req-${Math.floor(index / 2)}`,
    payload: { prompt: `prompt ${index}`, response: index % 2 === 1 ? `answer ${index}` : undefined },
    ...overrides,
  };
}

export const writerOptions = (overrides: Partial<AuditWriterOptions> = {}): AuditWriterOptions => ({
  payloadMode: 'hash',
  batchMax: 256,
  flushDelayMs: 2,
  maxQueue: 10_000,
  dbRole: 'attest_audit_writer',
  writerId: 'spec',
  ...overrides,
});

/** A temporary folder for key and sink files, removed by `cleanup`. */
export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'attest-audit-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface AuditRig {
  signingKey: KeyObject;
  writer: AuditWriter;
  checkpointer: AuditCheckpointer;
  sink: CheckpointFileSink;
  trustedKeys: TrustedKey[];
}

/** Writer + checkpointer over `dataSource` with a fresh key and a sink file in `dir` (no timer: checkpoint on demand). */
export async function startRig(dataSource: DataSource, dir: string, sinkName = 'checkpoints.jsonl'): Promise<AuditRig> {
  const writer = new AuditWriter(dataSource, writerOptions());
  const sink = new CheckpointFileSink(join(dir, sinkName));
  const signingKey = generateEd25519PrivateKey();
  const checkpointer = new AuditCheckpointer(dataSource, signingKey, sink, { intervalMs: 0, dbRole: 'attest_audit_writer' });
  await checkpointer.start();
  return { signingKey, writer, checkpointer, sink, trustedKeys: [{ verifier: parseVerifierKey(checkpointer.signer.verifierKey) }] };
}

export async function recordMany(writer: AuditWriter, count: number, concurrency: number, offset = 0): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await writer.record(draftOf(offset + index));
      }
    }),
  );
}
