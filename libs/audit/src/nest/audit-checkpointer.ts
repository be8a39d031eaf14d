import type { KeyObject } from 'node:crypto';
import { type BeforeApplicationShutdown, Logger, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from '../core/checkpoint';
import { leafHash, toHex } from '../core/hashing';
import { consistencyProof, LeafRange, MerkleFrontier } from '../core/merkle-tree';
import { createNoteSigner, type NoteSigner, parseVerifierKey, signNote, verifyNote } from '../core/signed-note';
import { setRoleStatement, withClient } from './audit-database';
import { AuditLogReader } from './audit-log.reader';
import { auditMetrics } from './audit-metrics';
import { AuditError, AuditErrorCode } from './audit.errors';
import type { CheckpointSink } from './checkpoint-file-sink';

export interface AuditCheckpointerOptions {
  intervalMs: number;
  /** Signed-note key name; by default the log origin. */
  keyName?: string;
  dbRole?: string;
  /** Runs before the last checkpoint at shutdown (the module passes the writer's close). */
  beforeFinalCheckpoint?: () => Promise<void>;
  /** c2sp.org/tlog-witness add-checkpoint URLs asked to cosign each checkpoint before it is stored. */
  witnessUrls?: readonly string[];
  /**
   * Called when this start registers a signing key the log has not seen (first start, or a rotation): the module
   * records it as `audit.signing_key_registered`; a rejection refuses the start (a rotation is never silent).
   */
  onKeyRegistered?: (key: { verifierKey: string; keyId: string; earlierKeys: number }) => Promise<void>;
}

/**
 * Signs checkpoints (c2sp.org/tlog-checkpoint) of the log at intervals: extends its Merkle frontier with the events
 * committed since the last one — re-hashing their bytes and checking their chain links rather than trusting columns —
 * writes the signed note to the sink outside the database (fsynced) and then to audit_checkpoint.
 * At start it refuses a database that is behind, or disagrees with, the newest checkpoint in the sink.
 *
 * @example
 * const checkpointer = new AuditCheckpointer(dataSource, key, new CheckpointFileSink(path), { intervalMs: 10_000 });
 * await checkpointer.start();
 */
export class AuditCheckpointer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpointer');
  private readonly reader: AuditLogReader;
  private frontier = new MerkleFrontier();
  /** Where the log starts after retention, with the frontier of the dropped leaves. */
  private retained: { from: number; frontier: MerkleFrontier } | undefined;
  private previousHash: Buffer = Buffer.alloc(32);
  private signerValue: NoteSigner | undefined;
  private origin: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string | undefined> | undefined;
  private lastSignedSize = -1;
  /** Every leaf hash, kept only when witnesses need consistency proofs. */
  private readonly leaves: Buffer[] = [];
  private readonly witnessSizes = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly signingKey: KeyObject,
    private readonly sink: CheckpointSink,
    private readonly options: AuditCheckpointerOptions,
  ) {
    this.reader = new AuditLogReader(dataSource);
  }

  get signer(): NoteSigner {
    if (!this.signerValue) throw new AuditError(AuditErrorCode.Unavailable, 'the audit checkpointer has not started');
    return this.signerValue;
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  /** Before the database pool closes (TypeORM closes it in onApplicationShutdown): drain the writer, seal the tail. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Registers the public key, checks the database against the sink, loads the frontier, starts the timer. */
  async start(): Promise<void> {
    const head = await this.reader.head();
    this.origin = head.origin;
    this.signerValue = createNoteSigner(this.options.keyName ?? head.origin, this.signingKey);
    await this.registerPublicKey();
    const newestInSink = await this.newestSinkCheckpoint();
    if (newestInSink && newestInSink.size > head.size) {
      throw new AuditError(
        AuditErrorCode.RolledBack,
        `the audit database holds ${head.size} events but the checkpoint sink ${describeSink(this.sink)} has a signed checkpoint of ${newestInSink.size}: ` +
          'the database was restored from an older state or its newest events were deleted; refusing to start',
      );
    }
    const retention = await this.reader.retention();
    if (retention) {
      const { details, frontier, lastLeafHash } = retention.anchor;
      this.retained = { from: details.retainedFrom, frontier: MerkleFrontier.restore(frontier.size, frontier.subtreeRoots()) as MerkleFrontier };
      this.frontier = frontier;
      this.previousHash = lastLeafHash;
    }
    // A sink checkpoint older than the retained log cannot be recomputed; a newer one still must match.
    await this.extendTo(head.size, newestInSink && newestInSink.size >= this.frontier.size ? newestInSink : undefined);
    if (this.options.intervalMs > 0) {
      this.timer = setInterval(() => void this.checkpoint().catch((error: unknown) => this.logger.error(`checkpoint failed: ${(error as Error).message}`)), this.options.intervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.options.beforeFinalCheckpoint?.();
    if (this.signerValue) await this.checkpoint().catch((error: unknown) => this.logger.error(`final checkpoint failed: ${(error as Error).message}`));
  }

  /** Signs and stores a checkpoint of the current head; returns the note, or undefined when nothing is new. */
  checkpoint(): Promise<string | undefined> {
    this.running ??= this.signCurrentHead().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async signCurrentHead(): Promise<string | undefined> {
    const head = await this.reader.head();
    auditMetrics.logSeen(head.size);
    await this.extendTo(head.size);
    const size = this.frontier.size;
    if (size === this.lastSignedSize) return undefined;
    const root = this.frontier.root();
    const note = await this.cosigned(signNote(formatCheckpoint({ origin: this.origin as string, size, root, extensions: [] }), [this.signer]), size);
    await this.sink.append(note);
    await withClient(this.dataSource, async (client) => {
      await client.query(`BEGIN; ${setRoleStatement(this.options.dbRole)}`);
      try {
        await client.query('INSERT INTO audit_checkpoint (tree_size, root_hash, note) VALUES ($1, $2, $3) ON CONFLICT (tree_size) DO NOTHING', [size, root, note]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new AuditError(AuditErrorCode.Unavailable, `cannot store checkpoint ${size}: ${(error as Error).message}`, { cause: error });
      }
    });
    this.lastSignedSize = size;
    auditMetrics.sealed(size);
    return note;
  }

  /** Appends events [frontier.size, size) after checking each one's bytes against its leaf hash and its chain link. */
  private async extendTo(size: number, mustMatch?: Checkpoint): Promise<void> {
    if (mustMatch?.size === 0) this.assertMatches(mustMatch);
    for await (const page of this.reader.eventPages(this.frontier.size, size)) {
      for (const row of page) {
        const position = this.frontier.size;
        if (row.seq !== position || !leafHash(row.canonical).equals(row.leafHash) || !row.prevHash.equals(this.previousHash)) {
          throw new AuditError(AuditErrorCode.Forked, `audit event ${position} is missing, altered or unlinked; refusing to sign over it (run attest audit verify)`);
        }
        this.frontier.append(row.leafHash);
        if (this.options.witnessUrls?.length) this.leaves.push(row.leafHash);
        this.previousHash = row.leafHash;
        if (mustMatch && this.frontier.size === mustMatch.size) this.assertMatches(mustMatch);
      }
    }
    if (this.frontier.size !== size) throw new AuditError(AuditErrorCode.Forked, `the audit log head says ${size} events but ${this.frontier.size} are stored`);
  }

  /**
   * Asks each witness to cosign (c2sp.org/tlog-witness): old size, consistency proof, checkpoint; a 409 names the size
   * the witness holds, and the request is retried once from there. An unreachable witness costs its cosignature only.
   */
  private async cosigned(note: string, size: number): Promise<string> {
    let result = note;
    for (const url of this.options.witnessUrls ?? []) {
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const oldSize = Math.min(this.witnessSizes.get(url) ?? 0, size);
          const proof = oldSize === 0 ? [] : consistencyProof(new LeafRange(this.leaves, this.retained?.from ?? 0, this.retained?.frontier), oldSize, size);
          const body = `old ${oldSize}\n${proof.map((hash) => `${hash.toString('base64')}\n`).join('')}\n${note}`;
          const response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(5_000) });
          const text = await response.text();
          if (response.status === 200) {
            result += text.split('\n').filter((line) => line.startsWith('\u2014 ')).map((line) => `${line}\n`).join('');
            this.witnessSizes.set(url, size);
            break;
          }
          if (response.status !== 409) throw new Error(`HTTP ${response.status}: ${text.trim()}`);
          this.witnessSizes.set(url, Number(text.trim()));
        }
      } catch (error) {
        this.logger.warn(`witness ${url} did not cosign checkpoint ${size}: ${(error as Error).message}`);
      }
    }
    return result;
  }

  private assertMatches(checkpoint: Checkpoint): void {
    if (!this.frontier.root().equals(checkpoint.root)) {
      throw new AuditError(AuditErrorCode.Forked, `the audit database's first ${checkpoint.size} events differ from the checkpoint in the sink ${describeSink(this.sink)}; refusing to start`);
    }
  }

  private async newestSinkCheckpoint(): Promise<Checkpoint | undefined> {
    const verifier = parseVerifierKey(this.signer.verifierKey);
    let newest: Checkpoint | undefined;
    for (const note of await this.sink.readAll()) {
      const verified = verifyNote(note, [verifier]);
      if (!verified.ok) continue; // another key's (before a rotation) or a torn line: not ours to hold the database to
      const checkpoint = parseCheckpoint(verified.text);
      if (checkpoint.origin === this.origin && (!newest || checkpoint.size > newest.size)) newest = checkpoint;
    }
    return newest;
  }

  private async registerPublicKey(): Promise<void> {
    const verifier = parseVerifierKey(this.signer.verifierKey);
    const registered = await withClient(this.dataSource, async (client) => {
      const inserted = await client.query(
        'INSERT INTO audit_signing_key (verifier_key, key_name, key_id, public_key) VALUES ($1, $2, $3, $4) ON CONFLICT (verifier_key) DO NOTHING',
        [verifier.verifierKey, verifier.name, toHex(verifier.keyId), verifier.publicKey],
      );
      if (inserted.rowCount === 0) return undefined;
      const earlier = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_signing_key WHERE verifier_key <> $1', [verifier.verifierKey]);
      return Number(earlier.rows[0]?.n ?? 0);
    });
    if (registered !== undefined) await this.options.onKeyRegistered?.({ verifierKey: verifier.verifierKey, keyId: toHex(verifier.keyId), earlierKeys: registered });
  }
}

function describeSink(sink: CheckpointSink): string {
  return 'path' in sink ? String((sink as { path: unknown }).path) : 'sink';
}
