import { hostname } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@attest/config';
import { z } from 'zod';
import type { PayloadMode } from '../core/audit-event';

/** The `audit` namespace. Paths default to ATTEST_DATA_DIR/audit/. */
export const auditConfig = defineConfig('audit', {
  dataDir: {
    env: 'ATTEST_DATA_DIR',
    schema: z.string().min(1).default('.attest'),
    description: 'folder for local state; the audit signing key and checkpoint sink live in its audit/ subfolder',
  },
  signingKeyFile: {
    env: 'ATTEST_AUDIT_SIGNING_KEY_FILE',
    schema: z.string().min(1).optional(),
    description: 'PEM (PKCS#8) Ed25519 private key that signs checkpoints; generated on first start (default ATTEST_DATA_DIR/audit/signing-key.pem)',
    sensitive: true,
  },
  keyName: {
    env: 'ATTEST_AUDIT_KEY_NAME',
    schema: z.string().regex(/^[^\s+]+$/, 'no spaces or +').optional(),
    description: 'signed-note key name of the checkpoint key (default: the log origin)',
  },
  sinkFile: {
    env: 'ATTEST_AUDIT_CHECKPOINT_SINK',
    schema: z.string().min(1).optional(),
    description: 'append-only, fsynced file outside the database receiving every signed checkpoint (default ATTEST_DATA_DIR/audit/checkpoints.jsonl)',
  },
  payloadMode: {
    env: 'ATTEST_AUDIT_PAYLOAD_MODE',
    schema: z.enum(['hash', 'redacted']).default('hash'),
    description: 'hash (store only SHA-256 of prompt and response) or redacted (store the redacted text)',
  },
  checkpointIntervalMs: {
    env: 'ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS',
    schema: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    description: 'milliseconds between signed checkpoints (100..3600000)',
  },
  selfVerifyIntervalMs: {
    env: 'ATTEST_AUDIT_SELF_VERIFY_INTERVAL_MS',
    schema: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
    description: 'milliseconds between scheduled full verifications of the log (0 turns them off; max 86400000)',
  },
  retentionMonths: {
    env: 'ATTEST_AUDIT_RETENTION_MONTHS',
    schema: z.coerce.number().int().min(1).max(1_200).default(72),
    description: 'months a month of audit events is kept after it ends, before retention drops it (1..1200; default 72 = six years, HIPAA 164.316); legal holds keep it longer',
  },
  retentionIntervalMs: {
    env: 'ATTEST_AUDIT_RETENTION_INTERVAL_MS',
    schema: z.coerce.number().int().min(0).max(2_592_000_000).default(86_400_000),
    description: 'milliseconds between scheduled retention runs (create the coming monthly partitions, drop months that are due); 0: only `attest audit retention apply`',
  },
  batchMax: {
    env: 'ATTEST_AUDIT_BATCH_MAX',
    schema: z.coerce.number().int().min(1).max(5_000).default(512),
    description: 'most events committed in one group-commit transaction (1..5000)',
  },
  flushDelayMs: {
    env: 'ATTEST_AUDIT_FLUSH_MS',
    // 0: an event that finds no batch on its way is sent at once (a 2 ms wait cost every request two waits at low load
    // and bought nothing at high load, bench/overhead/README.md); batches still form while earlier ones are in flight.
    schema: z.coerce.number().int().min(0).max(1_000).default(0),
    description: 'wait before an event that finds no batch in flight is committed, for more to join it, in milliseconds (0..1000; 0: at once, batches still form while earlier ones are in flight)',
  },
  maxInFlight: {
    env: 'ATTEST_AUDIT_MAX_IN_FLIGHT',
    schema: z.coerce.number().int().min(1).max(8).default(2),
    description: 'group-commit batches on their way to PostgreSQL at once, each sealed on top of the one before it (1..8); each holds one more database session',
  },
  maxQueue: {
    env: 'ATTEST_AUDIT_MAX_QUEUE',
    schema: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
    description: 'most events waiting for commit before new ones are refused with 503 (1..1000000)',
  },
  dbRole: {
    env: 'ATTEST_AUDIT_DB_ROLE',
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lowercase role name, or none').default('attest_audit_writer'),
    description: 'role the writer switches to (SET LOCAL ROLE) for its transactions; none keeps the login role',
  },
  witnessUrls: {
    env: 'ATTEST_AUDIT_WITNESS_URLS',
    schema: z
      .string()
      .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^https?$/ })))
      .optional(),
    description: 'comma-separated c2sp.org/tlog-witness add-checkpoint URLs asked to cosign every checkpoint',
  },
  rawCaptureTenants: {
    env: 'ATTEST_AUDIT_RAW_CAPTURE_TENANTS',
    schema: z
      .string()
      .transform((value) => value.split(',').map((tenant) => tenant.trim()).filter(Boolean))
      .optional(),
    description:
      'comma-separated tenants whose raw (unredacted) prompts and answers are kept, encrypted per data subject (AES-256-GCM) so erasing the subject key shreds them; default none',
  },
  contentKeyFile: {
    env: 'ATTEST_AUDIT_CONTENT_KEY_FILE',
    schema: z.string().min(1).optional(),
    description: '32-byte key-encryption key wrapping the data subject keys; generated on first use (default ATTEST_DATA_DIR/audit/content-key.bin)',
    sensitive: true,
  },
  writerId: {
    env: 'ATTEST_AUDIT_WRITER_ID',
    schema: z.string().min(1).max(128).optional(),
    description: 'name of this gateway instance in the events it writes (default hostname-pid)',
  },
});

export interface AuditSettings {
  signingKeyFile: string;
  keyName?: string;
  sinkFile: string;
  payloadMode: PayloadMode;
  checkpointIntervalMs: number;
  selfVerifyIntervalMs: number;
  retentionMonths: number;
  retentionIntervalMs: number;
  batchMax: number;
  flushDelayMs: number;
  maxInFlight: number;
  maxQueue: number;
  /** `undefined` keeps the login role. */
  dbRole?: string;
  writerId: string;
  witnessUrls: string[];
  /** Tenants whose raw content is sealed under data subject keys. */
  rawCaptureTenants: string[];
  contentKeyFile: string;
}

/**
 * Loads the `audit` namespace and fills in the defaults that depend on other values.
 *
 * @example
 * const settings = loadAuditSettings(process.env);
 */
export function loadAuditSettings(env: NodeJS.ProcessEnv = process.env): AuditSettings {
  const config = auditConfig.load(env);
  return {
    signingKeyFile: config.signingKeyFile ?? join(config.dataDir, 'audit', 'signing-key.pem'),
    keyName: config.keyName,
    sinkFile: config.sinkFile ?? join(config.dataDir, 'audit', 'checkpoints.jsonl'),
    payloadMode: config.payloadMode,
    checkpointIntervalMs: config.checkpointIntervalMs,
    selfVerifyIntervalMs: config.selfVerifyIntervalMs,
    retentionMonths: config.retentionMonths,
    retentionIntervalMs: config.retentionIntervalMs,
    batchMax: config.batchMax,
    flushDelayMs: config.flushDelayMs,
    maxInFlight: config.maxInFlight,
    maxQueue: config.maxQueue,
    dbRole: config.dbRole === 'none' ? undefined : config.dbRole,
    writerId: config.writerId ?? `${hostname()}-${process.pid}`,
    witnessUrls: config.witnessUrls ?? [],
    rawCaptureTenants: config.rawCaptureTenants ?? [],
    contentKeyFile: config.contentKeyFile ?? join(config.dataDir, 'audit', 'content-key.bin'),
  };
}
