import type { Hash } from './hashing';
import { NoteFormatError } from './signed-note';

/** The body of a c2sp.org/tlog-checkpoint: origin, tree size, root hash, optional extension lines. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  extensions: string[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The checkpoint note text: `<origin>\n<size>\n<base64 root>\n` plus any extension lines.
 *
 * @example
 * formatCheckpoint({ origin: 'attest.local/audit/x', size: 3, root, extensions: [] });
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (!checkpoint.origin || /\n/.test(checkpoint.origin)) throw new NoteFormatError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw new NoteFormatError('checkpoint size must be a non-negative integer');
  if (checkpoint.root.length !== 32) throw new NoteFormatError('checkpoint root must be 32 bytes');
  const extensions = checkpoint.extensions.map((line) => {
    if (!line || /\n/.test(line)) throw new NoteFormatError('checkpoint extension lines must be non-empty single lines');
    return `${line}\n`;
  });
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n${extensions.join('')}`;
}

/**
 * Parses checkpoint note text (the already verified text of a signed note).
 *
 * @example
 * parseCheckpoint(verified.text).size;
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new NoteFormatError('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new NoteFormatError('a checkpoint has an origin, a size and a root line');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (!origin) throw new NoteFormatError('checkpoint origin is empty');
  if (!DECIMAL.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) throw new NoteFormatError(`checkpoint size ${JSON.stringify(sizeLine)} is not a decimal number`);
  const root = Buffer.from(rootLine, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootLine) throw new NoteFormatError('checkpoint root is not a base64 SHA-256 hash');
  if (extensions.some((line) => line === '')) throw new NoteFormatError('checkpoint extension lines must be non-empty');
  return { origin, size: Number(sizeLine), root, extensions };
}
