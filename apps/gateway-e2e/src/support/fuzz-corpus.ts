import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The request fuzz corpus (`../fuzz-corpus/*.json`): bodies that broke, or could break, a JSON API. Each file is a
 * JSON array of entries; a body is a list of parts: a string (sent as UTF-8), `{ base64 }` for bytes that are not
 * UTF-8, or `{ repeat, times }` for huge inputs. `status`, when given, is the answer the entry must get; every entry
 * must get a non-5xx answer, refusals in OpenAI's error shape. Add a file or an entry to add a case.
 */
export interface CorpusRequest {
  file: string;
  name: string;
  route: string;
  /** `null`: no content-type header at all. */
  contentType: string | null;
  body: Buffer;
  status?: number;
}

type Part = string | { base64: string } | { repeat: string; times: number };

interface Entry {
  name: string;
  route?: string;
  contentType?: string | null;
  body: Part[];
  status?: number;
}

export const requestCorpusDir = join(__dirname, '..', 'fuzz-corpus');

function bytesOf(part: Part): Buffer {
  if (typeof part === 'string') return Buffer.from(part, 'utf8');
  if ('base64' in part) return Buffer.from(part.base64, 'base64');
  return Buffer.from(part.repeat.repeat(part.times), 'utf8');
}

export function loadRequestCorpus(dir: string = requestCorpusDir): CorpusRequest[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as Entry[]).map((entry) => ({
        file,
        name: entry.name,
        route: entry.route ?? '/v1/chat/completions',
        contentType: entry.contentType === undefined ? 'application/json' : entry.contentType,
        body: Buffer.concat(entry.body.map(bytesOf)),
        status: entry.status,
      })),
    );
}
