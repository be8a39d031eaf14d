import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The PII fuzz corpus (`../testdata/fuzz/*.json`): texts that broke, or could break, text handling. Each file is a
 * JSON array of `{ name, parts }`; a part is a string (JSON escapes carry NULs and lone surrogates) or
 * `{ repeat, times }` for huge inputs that would be silly to store. Add a file or an entry to add a case.
 */
export interface CorpusText {
  file: string;
  name: string;
  text: string;
}

type Part = string | { repeat: string; times: number };

export const fuzzCorpusDir = join(__dirname, '..', 'testdata', 'fuzz');

export function loadFuzzCorpus(dir: string = fuzzCorpusDir): CorpusText[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { name: string; parts: Part[] }[]).map((entry) => ({
        file,
        name: entry.name,
        text: entry.parts.map((part) => (typeof part === 'string' ? part : part.repeat.repeat(part.times))).join(''),
      })),
    );
}
