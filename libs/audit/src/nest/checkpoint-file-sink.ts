import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditError, AuditErrorCode } from './audit.errors';

/** Where signed checkpoints go besides the database, so a restored or rewritten database is caught. */
export interface CheckpointSink {
  append(note: string): Promise<void>;
  /** Every note written so far, oldest first. */
  readAll(): Promise<string[]>;
}

/**
 * An append-only JSON Lines file: one JSON string (the signed note) per line, fsynced before `append` resolves.
 * A torn last line (crash mid-write) is ignored on reading.
 *
 * @example
 * const sink = new CheckpointFileSink('.attest/audit/checkpoints.jsonl');
 * await sink.append(note);
 */
export class CheckpointFileSink implements CheckpointSink {
  constructor(readonly path: string) {}

  async append(note: string): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const file = await open(this.path, 'a', 0o600);
      try {
        await file.appendFile(`${JSON.stringify(note)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (error) {
      throw new AuditError(AuditErrorCode.SinkUnusable, `cannot append to the checkpoint sink ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async readAll(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AuditError(AuditErrorCode.SinkUnusable, `cannot read the checkpoint sink ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    const notes: string[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const note = JSON.parse(line) as unknown;
        if (typeof note === 'string') notes.push(note);
      } catch {
        // a torn write; the verifier treats the sink as a hint to check against, never as the log itself
      }
    }
    return notes;
  }
}
