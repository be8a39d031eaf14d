import { PiiError, PiiErrorCode } from '../pii.errors';
import { type PiiEngine } from '../pii-engine';
import { type PiiOperator } from '../pii.types';

/** Options of `attest pii scan`. */
export interface ScanOptions {
  /** Operator applied to every finding (default `replace`). */
  operator?: string;
  /** Comma-separated entity types to look for (default: all). */
  types?: string;
  /** Key for `--operator hash`. */
  key?: string;
}

const operators = ['redact', 'mask', 'replace', 'hash', 'pseudonymise', 'keep'] as const;

/** Turns CLI flags into one operator, refusing unknown names and a hash without a key. */
export function scanOperator(options: ScanOptions): PiiOperator {
  const name = options.operator ?? 'replace';
  switch (name) {
    case 'redact':
    case 'replace':
    case 'pseudonymise':
    case 'keep':
    case 'mask':
      return { operator: name };
    case 'hash':
      if (!options.key) throw new PiiError(PiiErrorCode.InvalidPolicy, '--operator hash needs --key (16 bytes or more)');
      return { operator: 'hash', key: options.key };
    default:
      throw new PiiError(PiiErrorCode.InvalidPolicy, `--operator must be one of ${operators.join(', ')}`);
  }
}

/**
 * `attest pii scan`: reads JSON lines `{"text": "..."}` and yields one JSON line per input,
 * `{"findings": [{"type", "start", "end", "score"}], "redacted": "..."}` (offsets in UTF-16 code units, end exclusive).
 * A line that is not such an object, or that fails analysis, yields `{"error": {"code", "message"}}` and the scan goes on;
 * blank lines are skipped. Pure: the caller wires stdin and stdout.
 *
 * @example
 * for await (const line of scanJsonLines(engine, readline.createInterface({ input: process.stdin }), { types: 'EMAIL_ADDRESS' }))
 *   process.stdout.write(`${line}\n`);
 */
export async function* scanJsonLines(engine: PiiEngine, lines: AsyncIterable<string> | Iterable<string>, options: ScanOptions = {}): AsyncGenerator<string> {
  const policy = { '*': scanOperator(options) };
  const entities = options.types
    ?.split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield JSON.stringify(scanOne(engine, line, policy, entities));
  }
}

function scanOne(engine: PiiEngine, line: string, policy: Record<string, PiiOperator>, entities: string[] | undefined): object {
  let text: unknown;
  try {
    text = (JSON.parse(line) as { text?: unknown } | null)?.text;
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') return { error: { code: 'PII_BAD_INPUT', message: 'expected a JSON object {"text": "..."}' } };
  try {
    const findings = engine.analyze(text, { entities });
    return {
      findings: findings.map(({ type, start, end, score }) => ({ type, start, end, score: Math.round(score * 100) / 100 })),
      redacted: engine.transform(text, findings, policy).text,
    };
  } catch (error) {
    if (error instanceof PiiError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}
