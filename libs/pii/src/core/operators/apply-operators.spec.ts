import { PiiErrorCode } from '../pii.errors';
import { type OperatorPolicy, type PiiFinding } from '../pii.types';
import { applyOperators, validatePolicy } from './apply-operators';
import { PseudonymVault } from './pseudonym-vault';

const text = 'Ann Lee paid with 4111 1111 1111 1111, Ann Lee again';
const findingAt = (type: string, value: string, from = 0): PiiFinding => {
  const start = text.indexOf(value, from);
  return { type, start, end: start + value.length, score: 0.9, recognizer: 'spec' };
};
const findings = [findingAt('PERSON', 'Ann Lee'), findingAt('CREDIT_CARD', '4111 1111 1111 1111'), findingAt('PERSON', 'Ann Lee', 10)];
const run = (policy: OperatorPolicy): { text: string; applied: { type: string; operator: string }[] } =>
  applyOperators(text, findings, policy, new PseudonymVault());

describe(applyOperators.name, () => {
  it('replaces with typed placeholders, one per distinct value', () => {
    expect(run({ '*': { operator: 'replace' } }).text).toBe('<PERSON_1> paid with <CREDIT_CARD_1>, <PERSON_1> again');
  });

  it('redacts by removing the value', () => {
    expect(run({ '*': { operator: 'redact' } }).text).toBe(' paid with ,  again');
  });

  it('masks all but the last four characters', () => {
    expect(run({ CREDIT_CARD: { operator: 'mask' }, '*': { operator: 'keep' } }).text).toBe(
      'Ann Lee paid with ***************1111, Ann Lee again',
    );
  });

  it('never reveals more than half of a short value when masking', () => {
    expect(run({ PERSON: { operator: 'mask', keepLast: 4, char: '#' }, '*': { operator: 'keep' } }).text).toBe(
      '####Lee paid with 4111 1111 1111 1111, ####Lee again',
    );
  });

  it('hashes with a keyed HMAC: stable per key, different across keys', () => {
    const first = run({ '*': { operator: 'hash', key: 'k'.repeat(32) } }).text;
    const again = run({ '*': { operator: 'hash', key: 'k'.repeat(32) } }).text;
    const otherKey = run({ '*': { operator: 'hash', key: 'j'.repeat(32) } }).text;

    expect(first).toMatch(/^<PERSON:[0-9a-f]{32}> paid with <CREDIT_CARD:[0-9a-f]{32}>, <PERSON:[0-9a-f]{32}> again$/);
    expect(again).toBe(first);
    expect(otherKey).not.toBe(first);
  });

  it('uses the type rule before the wildcard', () => {
    const result = applyOperators(text, findings, { PERSON: { operator: 'keep' }, '*': { operator: 'redact' } }, new PseudonymVault());

    expect(result.text).toBe('Ann Lee paid with , Ann Lee again');
  });

  it('leaves types the policy does not name when there is no wildcard', () => {
    const result = applyOperators(text, findings, { CREDIT_CARD: { operator: 'replace' } }, new PseudonymVault());

    expect(result.text).toBe('Ann Lee paid with <CREDIT_CARD_1>, Ann Lee again');
    expect(result.applied).toEqual([
      { type: 'PERSON', operator: 'keep' },
      { type: 'CREDIT_CARD', operator: 'replace' },
      { type: 'PERSON', operator: 'keep' },
    ]);
  });

  it('resolves overlapping findings and clamps spans to the text', () => {
    const overlapping: PiiFinding[] = [
      { type: 'PERSON', start: 0, end: 3, score: 0.5, recognizer: 'a' },
      { type: 'PERSON', start: 0, end: 7, score: 0.9, recognizer: 'b' },
      { type: 'URL', start: text.length - 5, end: text.length + 10, score: 0.6, recognizer: 'c' },
    ];

    expect(applyOperators(text, overlapping, { '*': { operator: 'replace' } }, new PseudonymVault()).text).toBe(
      '<PERSON_1> paid with 4111 1111 1111 1111, Ann Lee <URL_1>',
    );
  });
});

describe(validatePolicy.name, () => {
  it.each([
    ['an unknown operator', { '*': { operator: 'shred' } }],
    ['a hash without a key', { '*': { operator: 'hash', key: '' } }],
    ['a short hash key', { '*': { operator: 'hash', key: 'short' } }],
    ['a negative keepLast', { '*': { operator: 'mask', keepLast: -1 } }],
    ['a two-character mask', { '*': { operator: 'mask', char: '**' } }],
  ])('refuses %s', (_reason, policy) => {
    expect(() => validatePolicy(policy as OperatorPolicy)).toThrow(expect.objectContaining({ code: PiiErrorCode.InvalidPolicy }));
  });
});
