import { AUDIT_RECORDER } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ModelRegistryService, REGISTRY_OPTIONS } from './model-registry.service';
import { RegistryModule } from './registry.module';
import { builtinModelPath, recordingAudit } from './registry-test-kit';

describe(RegistryModule.name, () => {
  let db: TestDatabase;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db.drop();
  });

  it('provides a working ModelRegistryService from the DataSource and the global audit recorder', async () => {
    const audit = recordingAudit();
    @Global()
    @Module({
      providers: [
        { provide: DataSource, useValue: db.dataSource },
        { provide: AUDIT_RECORDER, useValue: audit },
        { provide: REGISTRY_OPTIONS, useValue: { builtinModelPath: builtinModelPath(), registerBuiltinModel: true } },
      ],
      exports: [DataSource, AUDIT_RECORDER, REGISTRY_OPTIONS],
    })
    class PlatformStub {}

    moduleRef = await Test.createTestingModule({ imports: [PlatformStub, RegistryModule] }).compile();
    const sut = moduleRef.get(ModelRegistryService);
    await sut.ensureBuiltinModel(() => undefined);
    expect((await sut.resolve('default', 'stories260k')).version).toBe(1);
    expect(audit.events).toHaveLength(1);
  });
});
