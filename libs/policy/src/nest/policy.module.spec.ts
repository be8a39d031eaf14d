import { AUDIT_RECORDER } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PolicyEngine } from '../core/policy-engine';
import { PolicyActivationService } from './policy-activation.service';
import { PolicyEngineProvider } from './policy-engine.provider';
import { bundleThat, cliActor, RecordingAuditRecorder } from './policy-nest-fixtures';
import { PolicyModule } from './policy.module';

describe(PolicyModule.name, () => {
  let db: TestDatabase;
  let app: TestingModule;
  const audit = new RecordingAuditRecorder();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
    process.env['ATTEST_POLICY_DIR'] = join(__dirname, '..', '..', '..', '..', 'policies');
    process.env['ATTEST_POLICY_RELOAD_MS'] = '0';

    @Global()
    @Module({
      providers: [
        { provide: DataSource, useValue: db.dataSource },
        { provide: AUDIT_RECORDER, useValue: audit },
      ],
      exports: [DataSource, AUDIT_RECORDER],
    })
    class EdgesModule {}

    app = await Test.createTestingModule({ imports: [EdgesModule, PolicyModule] }).compile();
  });
  afterAll(async () => {
    await app.close();
    process.env = savedEnv;
    await db.drop();
  });

  it('provides the engine with the shipped policies from ATTEST_POLICY_DIR', () => {
    const engine = app.get(PolicyEngine);
    expect(engine.problems).toEqual([]);
    expect(app.get(PolicyEngineProvider).current()).toBe(engine);
    expect(engine.bundle.compile().policies.has('baseline.inference')).toBe(true);
  });

  it('activates a bundle through the audit recorder, and the engine follows on its next check', async () => {
    const bundle = bundleThat('denies');
    await app.get(PolicyActivationService).activate(bundle, { tenant: 'default', actor: cliActor });
    expect(audit.events.map((event) => event.action)).toEqual(['policy_bundle.activated']);
    await app.get(PolicyEngineProvider).refresh();
    expect(app.get(PolicyEngine).bundleSha256).toBe(bundle.sha256);
  });
});
