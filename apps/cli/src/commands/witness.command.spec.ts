import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519PrivateKey, parseCosignerKey, parseVerifierKey } from '@attest/audit';
import { AuditCheckpointer, AuditEvidenceService, AuditWriter, CheckpointFileSink } from '@attest/audit/nest';
import { findFreePort } from '@attest/db';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';

const root = join(__dirname, '..', '..', '..', '..');

describe('attest witness', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'attest-witness-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cosigns the gateway checkpoints over HTTP, and verify demands its cosignature', async () => {
    const logKey = generateEd25519PrivateKey();
    const sink = new CheckpointFileSink(join(dir, 'sink.jsonl'));
    const probe = new AuditCheckpointer(db.dataSource, logKey, sink, { intervalMs: 0 });
    await probe.start();
    const logVerifierKey = probe.signer.verifierKey;
    const port = await findFreePort();
    const child = spawn(process.execPath, [join(root, 'scripts/run-ts.cjs'), 'apps/cli/src/main.ts', 'witness', 'serve', '--key-file', join(dir, 'witness.pem'), '--name', 'auditor.test/w1', '--state', join(dir, 'state.json'), '--log', logVerifierKey, '--port', String(port)], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('listening')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`witness exited with ${code}`)));
      });
      const witnessKey = banner.split(' ')[1]!;
      const writer = new AuditWriter(db.dataSource, { payloadMode: 'hash', batchMax: 64, flushDelayMs: 1, maxQueue: 100, writerId: 'spec' });
      const checkpointer = new AuditCheckpointer(db.dataSource, logKey, sink, { intervalMs: 0, witnessUrls: [`http://127.0.0.1:${port}/add-checkpoint`] });
      await checkpointer.start();
      for (const round of [0, 1]) {
        for (let i = 0; i < 5; i++) await writer.record({ action: 'login', outcome: 'success', tenant: 'default', actor: { principalId: `u${round}${i}`, kind: 'user', tenant: 'default', authMethod: 'oidc_token' } });
        const note = await checkpointer.checkpoint();
        expect(note).toContain('\u2014 auditor.test/w1 ');
      }
      await writer.close();
      expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toMatchObject({ [probe.signer.name]: { size: 10 } });
      const service = new AuditEvidenceService(db.dataSource);
      const trustedKeys = [{ verifier: parseVerifierKey(logVerifierKey) }];
      expect(await service.verify({ trustedKeys, witnesses: [parseCosignerKey(witnessKey)], quorum: 1 })).toMatchObject({ ok: true, cosignatures: 1 });
      expect((await service.verify({ trustedKeys, witnesses: [parseCosignerKey(witnessKey)], quorum: 2 })).failure?.code).toBe('CHECKPOINT_WITNESS_QUORUM');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
