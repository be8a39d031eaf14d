import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AUDIT_RECORDER, RAW_CONTENT_SEALER } from '@attest/contracts';
import { DATABASE_CONNECTION, type DatabaseConnection } from '@attest/db';
import { AuditCheckpointer } from './audit-checkpointer';
import { type AuditSettings, loadAuditSettings } from './audit.config';
import { AuditEvidenceService } from './audit-evidence.service';
import { AuditRetention } from './audit-retention';
import { AuditSelfVerifier } from './audit-self-verifier';
import { AUDIT_SYSTEM_ACTOR, AuditWriter } from './audit-writer';
import { CheckpointFileSink } from './checkpoint-file-sink';
import { DataSubjectKeys } from './data-subject-keys';
import { LegalHolds } from './legal-holds';
import { loadOrCreateSigningKey } from './signing-key-file';

export const AUDIT_SETTINGS = Symbol.for('attest.AuditSettings');

export interface AuditModuleOptions {
  /** Environment to read the `audit` namespace from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides after loading (tests). */
  settings?: Partial<AuditSettings>;
}

/**
 * Global audit module: provides {@link AUDIT_RECORDER} (the group-commit {@link AuditWriter}) to every lib, signs
 * checkpoints periodically, and refuses to start when the database is behind the checkpoint sink. Needs the global
 * DatabaseModule (DATABASE_CONNECTION from @attest/db).
 *
 * @example
 * @Module({ imports: [DatabaseModule.forConnection(connection), AuditModule.forRoot()] })
 * export class AppModule {}
 */
@Global()
@Module({})
export class AuditModule {
  static forRoot(options: AuditModuleOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        { provide: AUDIT_SETTINGS, useFactory: (): AuditSettings => ({ ...loadAuditSettings(options.env), ...options.settings }) },
        {
          provide: AuditWriter,
          inject: [DATABASE_CONNECTION, AUDIT_SETTINGS],
          useFactory: (connection: DatabaseConnection, settings: AuditSettings) => new AuditWriter(connection.dataSource, { ...settings, lifecycleEvents: true }),
        },
        { provide: AUDIT_RECORDER, useExisting: AuditWriter },
        {
          provide: AuditCheckpointer,
          inject: [DATABASE_CONNECTION, AUDIT_SETTINGS, AuditWriter],
          useFactory: async (connection: DatabaseConnection, settings: AuditSettings, writer: AuditWriter) =>
            new AuditCheckpointer(connection.dataSource, await loadOrCreateSigningKey(settings.signingKeyFile), new CheckpointFileSink(settings.sinkFile), {
              intervalMs: settings.checkpointIntervalMs,
              keyName: settings.keyName,
              dbRole: settings.dbRole,
              beforeFinalCheckpoint: () => writer.close(),
              witnessUrls: settings.witnessUrls,
              // A new checkpoint key (first start or rotation) is itself evidence: which key signs from here on.
              onKeyRegistered: async (key) => {
                await writer.record({
                  action: 'audit.signing_key_registered',
                  outcome: 'success',
                  actor: AUDIT_SYSTEM_ACTOR,
                  tenant: AUDIT_SYSTEM_ACTOR.tenant,
                  resource: { type: 'audit_signing_key', id: key.keyId },
                  details: { verifierKey: key.verifierKey, rotation: key.earlierKeys > 0, earlierKeys: key.earlierKeys },
                });
              },
            }),
        },
        {
          provide: AuditSelfVerifier,
          inject: [DATABASE_CONNECTION, AuditCheckpointer, AUDIT_SETTINGS],
          useFactory: (connection: DatabaseConnection, checkpointer: AuditCheckpointer, settings: AuditSettings) =>
            new AuditSelfVerifier(connection.dataSource, checkpointer, new CheckpointFileSink(settings.sinkFile), settings.selfVerifyIntervalMs),
        },
        {
          provide: DataSubjectKeys,
          inject: [DATABASE_CONNECTION, AUDIT_SETTINGS, AuditWriter],
          useFactory: (connection: DatabaseConnection, settings: AuditSettings, writer: AuditWriter) =>
            new DataSubjectKeys(connection.dataSource, settings.contentKeyFile, settings.rawCaptureTenants, writer),
        },
        { provide: RAW_CONTENT_SEALER, useExisting: DataSubjectKeys },
        {
          provide: LegalHolds,
          inject: [DATABASE_CONNECTION, AUDIT_SETTINGS, AuditWriter],
          useFactory: (connection: DatabaseConnection, settings: AuditSettings, writer: AuditWriter) => new LegalHolds(connection.dataSource, writer, settings.dbRole),
        },
        {
          provide: AuditRetention,
          inject: [DATABASE_CONNECTION, AUDIT_SETTINGS, AuditWriter, AuditCheckpointer, LegalHolds],
          useFactory: (connection: DatabaseConnection, settings: AuditSettings, writer: AuditWriter, checkpointer: AuditCheckpointer, holds: LegalHolds) =>
            new AuditRetention(connection.dataSource, writer, checkpointer, holds, { retentionMonths: settings.retentionMonths, intervalMs: settings.retentionIntervalMs, dbRole: settings.dbRole }),
        },
        {
          provide: AuditEvidenceService,
          inject: [DATABASE_CONNECTION],
          useFactory: (connection: DatabaseConnection) => new AuditEvidenceService(connection.dataSource),
        },
      ],
      exports: [AUDIT_RECORDER, RAW_CONTENT_SEALER, AuditWriter, AuditCheckpointer, AuditEvidenceService, AuditSelfVerifier, DataSubjectKeys, LegalHolds, AuditRetention, AUDIT_SETTINGS],
    };
  }
}
