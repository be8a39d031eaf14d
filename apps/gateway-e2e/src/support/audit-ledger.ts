import { type AuditLeaf, createNoteSigner, parseVerifierKey, readLeaf, type VerifyReport } from '@attest/audit';
import { AuditEvidenceService, CheckpointFileSink } from '@attest/audit/nest';
import { createDataSource } from '@attest/db';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/** The inference events one request id holds in the log, by action, as their outcomes. */
export interface RequestTrail {
  request: string[];
  response: string[];
}

/**
 * Read-only view of a gateway's audit log from outside the gateway, as an auditor would take it: the events per
 * request, and a full verification trusting only the gateway's own signing key and its checkpoint sink file.
 */
export class AuditLedger {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly dataDir: string,
    private readonly ownsDataSource: boolean,
  ) {}

  /** Opens its own small pool on `url`; `dataDir` is the gateway's ATTEST_DATA_DIR (key and sink). */
  static async open(url: string, dataDir: string): Promise<AuditLedger> {
    const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'attest-fault-ledger' });
    await dataSource.initialize();
    return new AuditLedger(dataSource, dataDir, true);
  }

  /** Reads through a DataSource the caller owns (an in-process gateway's). */
  static over(dataSource: DataSource, dataDir: string): AuditLedger {
    return new AuditLedger(dataSource, dataDir, false);
  }

  async trails(): Promise<Map<string, RequestTrail>> {
    const rows: { request_id: string; action: string; outcome: string }[] = await this.dataSource.query(
      `SELECT request_id, action, outcome FROM audit_event
       WHERE action IN ('inference.request', 'inference.response') AND request_id IS NOT NULL ORDER BY seq`,
    );
    const trails = new Map<string, RequestTrail>();
    for (const row of rows) {
      const trail = trails.get(row.request_id) ?? { request: [], response: [] };
      (row.action === 'inference.request' ? trail.request : trail.response).push(row.outcome);
      trails.set(row.request_id, trail);
    }
    return trails;
  }

  /** The signed `inference.response` event of a request, decoded from its canonical bytes. */
  async responseOf(requestId: string): Promise<AuditLeaf | undefined> {
    const rows: { canonical: Buffer }[] = await this.dataSource.query(
      `SELECT canonical FROM audit_event WHERE action = 'inference.response' AND request_id = $1 ORDER BY seq`,
      [requestId],
    );
    return rows[0] ? readLeaf(rows[0].canonical) : undefined;
  }

  async size(): Promise<number> {
    const [row]: { count: string }[] = await this.dataSource.query('SELECT count(*) AS count FROM audit_event');
    return Number(row?.count ?? 0);
  }

  /** `attest audit verify` in-process: chain, leaf hashes, every checkpoint, and the database against the sink. */
  async verify(): Promise<VerifyReport> {
    const evidence = new AuditEvidenceService(this.dataSource);
    const { origin } = await evidence.head();
    const signer = createNoteSigner(origin, createPrivateKey(readFileSync(join(this.dataDir, 'audit', 'signing-key.pem'))));
    const lastSeen = (await new CheckpointFileSink(join(this.dataDir, 'audit', 'checkpoints.jsonl')).readAll()).filter((note) =>
      note.startsWith(`${origin}\n`),
    );
    return evidence.verify({ trustedKeys: [{ verifier: parseVerifierKey(signer.verifierKey) }], lastSeen });
  }

  async close(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
