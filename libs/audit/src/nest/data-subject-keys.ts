import type { AuditActor, AuditRecorder } from '@attest/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  assertKeyEncryptionKey,
  DATA_KEY_BYTES,
  generateDataKey,
  openContent,
  type RawContent,
  sealContent,
  type SealedContent,
  subjectReference,
  unwrapDataKey,
  wrapDataKey,
} from '../core/sealed-content';
import { AuditError, AuditErrorCode } from './audit.errors';
import { loadOrCreateKeyFile } from './signing-key-file';

export type OpenedContent = { status: 'available'; content: RawContent } | { status: 'erased'; erasedAt: string };

/**
 * Data subject keys for crypto-shredding. A tenant that enables raw capture gets the raw prompt and answer sealed
 * under a key of the data subject's own; `erase` destroys that key (GDPR Art. 17) and commits `data_subject.erased`
 * in the same transaction, so an erasure is either done and recorded or neither. The key-encryption key lives
 * in a file outside the database (or an HSM-backed mount): a database dump alone opens nothing.
 */
export class DataSubjectKeys {
  private kekLoad: Promise<Buffer> | undefined;
  private readonly captureTenants: ReadonlySet<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kekFile: string,
    rawCaptureTenants: readonly string[],
    private readonly audit: AuditRecorder,
  ) {
    this.captureTenants = new Set(rawCaptureTenants);
  }

  capturesRaw(tenant: string): boolean {
    return this.captureTenants.has(tenant);
  }

  /** Seals raw content under the subject's live key, creating the key on first use (safe across replicas). */
  async seal(tenant: string, subjectId: string, content: RawContent): Promise<SealedContent> {
    const kek = await this.kek();
    const ref = subjectReference(kek, tenant, subjectId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const live: { key_id: string; wrapped_key: Buffer }[] = await this.dataSource.query(
        `SELECT key_id, wrapped_key FROM data_subject_key WHERE tenant_id = $1 AND subject_ref = $2 AND erased_at IS NULL`,
        [tenant, ref],
      );
      const found = live[0];
      if (found) return sealContent(unwrapDataKey(kek, found.wrapped_key, tenant, found.key_id), tenant, found.key_id, content);
      const keyId = randomUUID();
      const dataKey = generateDataKey();
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO data_subject_key (key_id, tenant_id, subject_ref, wrapped_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, subject_ref) WHERE erased_at IS NULL DO NOTHING RETURNING key_id`,
        [keyId, tenant, ref, wrapDataKey(kek, dataKey, tenant, keyId)],
      );
      // Another replica created the subject's key between our read and write: use theirs.
      if (inserted.length > 0) return sealContent(dataKey, tenant, keyId, content);
    }
    throw new AuditError(AuditErrorCode.Unavailable, 'could not obtain a data subject key');
  }

  /** Opens sealed content of the tenant; after erasure it says when, and nothing else. */
  async open(tenant: string, sealed: SealedContent): Promise<OpenedContent> {
    const rows: { wrapped_key: Buffer | null; erased_at: Date | null }[] = await this.dataSource.query(
      `SELECT wrapped_key, erased_at FROM data_subject_key WHERE key_id = $1 AND tenant_id = $2`,
      [sealed.keyId, tenant],
    );
    const row = rows[0];
    if (!row) throw new AuditError(AuditErrorCode.EventNotFound, 'no data subject key for this content');
    if (!row.wrapped_key) return { status: 'erased', erasedAt: (row.erased_at ?? new Date(0)).toISOString() };
    const kek = await this.kek();
    return { status: 'available', content: openContent(unwrapDataKey(kek, row.wrapped_key, tenant, sealed.keyId), tenant, sealed) };
  }

  /**
   * Erases every live key of the subject and records `data_subject.erased` (no subject id in it: the keyed reference
   * prefix and the key ids only). The audit commit happens inside the key transaction: no record, no erasure.
   */
  async erase(tenant: string, subjectId: string, actor: AuditActor): Promise<{ erasedKeys: string[] }> {
    const kek = await this.kek();
    const ref = subjectReference(kek, tenant, subjectId);
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const [erased] = (await manager.query(
        `UPDATE data_subject_key SET wrapped_key = NULL, erased_at = now() WHERE tenant_id = $1 AND subject_ref = $2 AND erased_at IS NULL RETURNING key_id`,
        [tenant, ref],
      )) as [{ key_id: string }[], number];
      const keyIds = erased.map((row) => row.key_id);
      await this.audit.record({
        action: 'data_subject.erased',
        outcome: 'success',
        actor,
        tenant,
        resource: { type: 'data_subject', id: ref.slice(0, 16) },
        details: { keyIds, erasedKeys: keyIds.length },
      });
      return { erasedKeys: keyIds };
    });
  }

  private kek(): Promise<Buffer> {
    this.kekLoad ??= loadOrCreateContentKey(this.kekFile).catch((error: unknown) => {
      this.kekLoad = undefined;
      throw error;
    });
    return this.kekLoad;
  }
}

/** Reads the 32-byte key-encryption key, creating it on first use. */
function loadOrCreateContentKey(path: string): Promise<Buffer> {
  return loadOrCreateKeyFile(path, 'content key', () => randomBytes(DATA_KEY_BYTES), (bytes) => {
    assertKeyEncryptionKey(bytes);
    return bytes;
  });
}
