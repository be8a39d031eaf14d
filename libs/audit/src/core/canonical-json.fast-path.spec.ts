import { canonicalize, CanonicalJsonError, CanonicalJsonProblem, parseCanonical } from './canonical-json';
import { buildLogFixture } from './testing/log-fixture';

/** parseCanonical as it was before its shortcut: decode, parse, and compare with the full JCS serialisation. */
function reference(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CanonicalJsonError(CanonicalJsonProblem.InvalidUtf8, 'bytes are not valid UTF-8', '');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CanonicalJsonError(CanonicalJsonProblem.NotJson, `not JSON (${(error as Error).message})`, '');
  }
  if (canonicalize(value) !== text) throw new CanonicalJsonError(CanonicalJsonProblem.NotCanonical, 'bytes differ from the RFC 8785 form of their own parse', '');
  return value;
}

const outcome = (parse: (bytes: Uint8Array) => unknown, bytes: Uint8Array) => {
  try {
    return { value: parse(bytes) };
  } catch (error) {
    return { error: error instanceof CanonicalJsonError ? { problem: error.problem, message: error.message } : String(error) };
  }
};

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

describe('parseCanonical shortcut', () => {
  const texts = [
    '{"a":1,"b":2}', '{"b":1,"a":2}', '{"a":1,"a":2}', '{"10":1,"9":2}', '{"9":1,"10":2}', '{"1":1,"a":2}', '{"a":1,"1":2}',
    '{"__proto__":1}', '{"__proto__":{"a":1},"b":[]}', '{"toJSON":"x"}', '["\\ud800"]', '["\\uD800"]', '["\\ud83d\\ude00"]', '["😀"]',
    '["\\u001f"]', '["\\u001F"]', '["\\u0041"]', '["\\/"]', '["\\\\ud800"]', '[1e400]', '[-0]', '[0]', '[1E5]', '[100000]', '[1e21]', '[1.0]',
    '[0.1]', '[1e-7]', '{"a":{}}', '{"a":[],"b":{"c":null,"d":true}}', ' {"a":1}', '{"a":1}\n', '{"a" :1}', '"x"', '1', 'null', '[]', '{}',
    `${'['.repeat(63)}${']'.repeat(63)}`, `${'['.repeat(64)}${']'.repeat(64)}`, `${'['.repeat(65)}${']'.repeat(65)}`,
    `${'{"a":'.repeat(64)}1${'}'.repeat(64)}`, '{"é":1,"z":2}', '{"z":1,"é":2}', '{"\u007f":1,"\u0080":2}', '{"\uffff":1,"😀":2}', '{"😀":1,"\uffff":2}',
  ];

  it.each(texts)('decides %s as the full serialisation does', (text) => {
    const bytes = Buffer.from(text, 'utf8');
    expect(outcome(parseCanonical, bytes)).toEqual(outcome(reference, bytes));
  });

  it('decides thousands of mutated leaves as the full serialisation does', () => {
    const next = random(14);
    const leaves = buildLogFixture(40).events.map((event) => event.bytes);
    const pieces = [' ', '\\u0041', '\\ud800', '1e3', '-0', '0.50', '"a":1,', ',"a":1', '{}', '[', ']', '\\"', '\u00e9', '\n', '"10":0,', '"0":1,'];
    let differing = 0;
    for (let round = 0; round < 4_000; round++) {
      const leaf = Buffer.from(leaves[Math.floor(next() * leaves.length)]!);
      const at = Math.floor(next() * leaf.length);
      const choice = next();
      const bytes =
        choice < 0.3 ? Buffer.concat([leaf.subarray(0, at), Buffer.from(pieces[Math.floor(next() * pieces.length)]!), leaf.subarray(at)])
        : choice < 0.6 ? Buffer.concat([leaf.subarray(0, at), leaf.subarray(at + 1 + Math.floor(next() * 4))])
        : Object.assign(leaf, { [at]: Math.floor(next() * 256) });
      const fast = outcome(parseCanonical, bytes);
      expect(fast).toEqual(outcome(reference, bytes));
      if (!('value' in fast)) differing++;
    }
    expect(differing).toBeGreaterThan(1_000); // the mutations did reach the failure paths
  });
});
