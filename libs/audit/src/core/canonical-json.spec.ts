import referenceCanonicalize from 'canonicalize';
import { canonicalize, CanonicalJsonError, CanonicalJsonProblem, parseCanonical } from './canonical-json';

const problemOf = (run: () => unknown): CanonicalJsonProblem | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return error.problem;
    throw error;
  }
};

describe(canonicalize.name, () => {
  it('produces the RFC 8785 §3.2.2 example output', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalize(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const order = ['Carriage Return', 'One', 'Control', 'Latin Small', 'Euro Sign', 'Emoji', 'Hebrew'].map((label) => canonicalize(input).indexOf(label));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it.each([
    [0, '0'], [-0, '0'], [1e21, '1e+21'], [1e-7, '1e-7'], [0.000001, '0.000001'], [-1.5, '-1.5'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
  ])('serialises the number %p as %s', (value, expected) => {
    expect(canonicalize(value)).toBe(expected);
  });

  it('agrees with the canonicalize package on mixed data', () => {
    const samples: unknown[] = [
      { z: [1, 2.5, 'x\u0000y', { b: null, a: true }], a: { 'é': 'ü', e: 'e', '': 0 } },
      ['\u2028\u2029', '\t\b\f', '😀', -1e-9, 123456789012345680000],
      { actor: { principalId: 'p', kind: 'user' }, seq: 7, details: { nested: [[[]], {}] } },
    ];
    for (const sample of samples) expect(canonicalize(sample)).toBe(referenceCanonicalize(sample));
  });

  it('leaves out undefined members and refuses what JCS cannot represent', () => {
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(problemOf(() => canonicalize({ text: 'a\ud800b' }))).toBe(CanonicalJsonProblem.LoneSurrogate);
    expect(problemOf(() => canonicalize({ ['\udc00']: 1 }))).toBe(CanonicalJsonProblem.LoneSurrogate);
    expect(problemOf(() => canonicalize([NaN]))).toBe(CanonicalJsonProblem.NonFiniteNumber);
    expect(problemOf(() => canonicalize({ n: Infinity }))).toBe(CanonicalJsonProblem.NonFiniteNumber);
    expect(problemOf(() => canonicalize([undefined]))).toBe(CanonicalJsonProblem.UnsupportedType);
    expect(problemOf(() => canonicalize({ when: new Date(0) }))).toBe(CanonicalJsonProblem.UnsupportedType);
    expect(problemOf(() => canonicalize({ big: BigInt(1) }))).toBe(CanonicalJsonProblem.UnsupportedType);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(problemOf(() => canonicalize(deep))).toBe(CanonicalJsonProblem.TooDeep);
  });

  it('names where the offending value is', () => {
    expect(() => canonicalize({ details: { reason: 'x\udfff' } })).toThrow('at /details/reason');
  });
});

describe(parseCanonical.name, () => {
  const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

  it('accepts bytes that are exactly the JCS form of their own parse', () => {
    expect(parseCanonical(bytes('{"a":[1,"é"],"b":null}'))).toEqual({ a: [1, 'é'], b: null });
  });

  it.each([
    ['duplicate member names', '{"a":1,"a":1}'],
    ['unsorted members', '{"b":1,"a":2}'],
    ['whitespace', '{"a": 1}'],
    ['a non-canonical number', '{"a":1.0}'],
    ['an exponent form JCS does not use', '{"a":1E2}'],
    ['an unnecessary escape', '{"a":"\\u0041"}'],
    ['an escaped solidus', '{"a":"\\/"}'],
    ['a trailing newline', '{"a":1}\n'],
  ])('refuses %s as not canonical', (_, text) => {
    expect(problemOf(() => parseCanonical(bytes(text)))).toBe(CanonicalJsonProblem.NotCanonical);
  });

  it('refuses invalid UTF-8, a byte order mark, non-JSON, lone surrogate escapes and overflowing numbers', () => {
    expect(problemOf(() => parseCanonical(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])))).toBe(CanonicalJsonProblem.InvalidUtf8);
    expect(problemOf(() => parseCanonical(Buffer.from([0xef, 0xbb, 0xbf, 0x31])))).toBe(CanonicalJsonProblem.NotJson);
    expect(problemOf(() => parseCanonical(bytes('{a:1}')))).toBe(CanonicalJsonProblem.NotJson);
    expect(problemOf(() => parseCanonical(bytes('["\\ud800"]')))).toBe(CanonicalJsonProblem.LoneSurrogate);
    expect(problemOf(() => parseCanonical(bytes('[1e400]')))).toBe(CanonicalJsonProblem.NonFiniteNumber);
  });
});
