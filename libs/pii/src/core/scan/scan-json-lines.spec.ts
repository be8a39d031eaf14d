import { PiiErrorCode } from '../pii.errors';
import { createPiiEngine, type PiiEngine } from '../pii-engine';
import { scanJsonLines, type ScanOptions } from './scan-json-lines';

async function scan(engine: PiiEngine, lines: string[], options?: ScanOptions): Promise<unknown[]> {
  const output: unknown[] = [];
  for await (const line of scanJsonLines(engine, lines, options)) output.push(JSON.parse(line));
  return output;
}

describe(scanJsonLines.name, () => {
  let engine: PiiEngine;

  beforeAll(() => {
    engine = createPiiEngine({ ner: null, maxInputLength: 200 });
  });

  it('writes findings and the redacted text per input line', async () => {
    const output = await scan(engine, [JSON.stringify({ text: 'mail ann@example.com now' })]);

    expect(output).toEqual([
      { findings: [{ type: 'EMAIL_ADDRESS', start: 5, end: 20, score: 1 }], redacted: 'mail <EMAIL_ADDRESS_1> now' },
    ]);
  });

  it('applies --operator and --types', async () => {
    const line = JSON.stringify({ text: 'ann@example.com paid with 4111 1111 1111 1111' });

    const [result] = await scan(engine, [line], { operator: 'mask', types: 'CREDIT_CARD' });

    expect(result).toEqual({
      findings: [{ type: 'CREDIT_CARD', start: 26, end: 45, score: 1 }],
      redacted: 'ann@example.com paid with ***************1111',
    });
  });

  it('reports bad lines and failures per line and goes on', async () => {
    const output = await scan(engine, ['not json', '', JSON.stringify({ text: 'x'.repeat(201) }), JSON.stringify({ text: 'ok' })]);

    expect(output).toEqual([
      { error: expect.objectContaining({ code: 'PII_BAD_INPUT' }) },
      { error: expect.objectContaining({ code: PiiErrorCode.InputTooLong }) },
      { findings: [], redacted: 'ok' },
    ]);
  });

  it('refuses an unknown operator and a hash without a key before reading input', async () => {
    await expect(scan(engine, [], { operator: 'shred' })).rejects.toMatchObject({ code: PiiErrorCode.InvalidPolicy });
    await expect(scan(engine, [], { operator: 'hash' })).rejects.toMatchObject({ code: PiiErrorCode.InvalidPolicy });
  });
});
