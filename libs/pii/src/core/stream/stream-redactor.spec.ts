import { createPiiEngine, type PiiEngine } from '../pii-engine';
import { PseudonymVault } from '../operators/pseudonym-vault';
import { type OperatorPolicy } from '../pii.types';
import { privateKeyBlock } from '../testing/pii-samples';
import { StreamRedactor } from './stream-redactor';

const policy: OperatorPolicy = { '*': { operator: 'replace' } };
const secrets = ['jane.doe@example.com', '4111 1111 1111 1111', 'GB82 WEST 1234 5698 7654 32', '+44 20 7946 0958'];
const answer = `Sure. Contact ${secrets[0]} and charge ${secrets[1]}; refunds go to ${secrets[2]}. Phone ${secrets[3]} any time.`;

/** Streams `text` in chunks of `size` and records every emitted piece. */
function stream(engine: PiiEngine, text: string, size: number, vault?: PseudonymVault): { pieces: string[]; output: string } {
  const sut = engine.createStreamRedactor(policy, vault);
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(sut.push(text.slice(index, index + size)));
  pieces.push(sut.flush());
  return { pieces, output: pieces.join('') };
}

describe(StreamRedactor.name, () => {
  let engine: PiiEngine;

  beforeAll(() => {
    engine = createPiiEngine({ ner: null, defaultRegions: ['GB'] });
  });

  it.each([1, 3, 7, 16, 50])('produces the same text as whole-text redaction with %i-character chunks', (size) => {
    const whole = engine.transform(answer, engine.analyze(answer), policy).text;

    expect(stream(engine, answer, size).output).toBe(whole);
  });

  it('catches an entity split at any position between two chunks and never emits a prefix of it', () => {
    for (let split = 1; split < answer.length; split++) {
      const sut = engine.createStreamRedactor(policy);
      const output = sut.push(answer.slice(0, split)) + sut.push(answer.slice(split)) + sut.flush();

      for (const secret of secrets) expect(output).not.toContain(secret.slice(0, 6));
    }
  });

  it('emits before the answer ends and holds back a bounded tail', () => {
    const sut = engine.createStreamRedactor(policy);
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    let emittedBeforeEnd = 0;
    let mostHeld = 0;

    for (let index = 0; index < prose.length; index += 4) {
      emittedBeforeEnd += sut.push(prose.slice(index, index + 4)).length;
      mostHeld = Math.max(mostHeld, sut.held);
    }

    expect(emittedBeforeEnd).toBeGreaterThan(prose.length - 100);
    expect(mostHeld).toBeLessThanOrEqual(64 + 24 + 4);
  });

  it('holds an unbroken token whole until it ends, then redacts it', () => {
    const url = `https://files.example.com/${'a1b2'.repeat(40)}/report.pdf`;
    const { pieces, output } = stream(engine, `Download ${url} now please, it is ready for you.`, 5);

    expect(output).toBe('Download <URL_1> now please, it is ready for you.');
    expect(pieces.join('')).not.toContain('https://files');
  });

  it('redacts a private key block streamed line by line', () => {
    const text = `Here is the key:\n${privateKeyBlock}\nKeep it safe.`;

    const { output } = stream(engine, text, 9);

    expect(output).toBe('Here is the key:\n<PRIVATE_KEY_1>\nKeep it safe.');
  });

  it('stops buffering at the bound and still transforms what was detected', () => {
    const sut = new StreamRedactor((text) => engine.analyze(text), policy, new PseudonymVault(), {
      holdback: 16,
      context: 16,
      maxToken: 32,
      maxBlock: 32,
      batch: 4,
    });
    const run = 'x'.repeat(200);

    const emitted = sut.push(run);

    expect(emitted.length).toBeGreaterThan(100);
    expect(sut.held).toBeLessThan(60);
  });

  it('numbers placeholders through the request vault so restoring works on the streamed text', () => {
    const vault = new PseudonymVault();
    const sut = engine.createStreamRedactor({ '*': { operator: 'pseudonymise' } }, vault);

    const output = [...answer].map((char) => sut.push(char)).join('') + sut.flush();

    expect(output).toContain('<EMAIL_ADDRESS_1>');
    expect(vault.restore(output)).toBe(answer);
    expect(sut.applied.map((applied) => applied.type)).toEqual(['EMAIL_ADDRESS', 'CREDIT_CARD', 'IBAN_CODE', 'PHONE_NUMBER']);
  });

  it('transforms only the types a policy without a wildcard names', () => {
    const sut = engine.createStreamRedactor({ CREDIT_CARD: { operator: 'mask' } });

    const output = sut.push(answer) + sut.flush();

    expect(output).toContain(secrets[0]);
    expect(output).toContain('***************1111');
  });

  it('refuses limits that would make it emit nothing', () => {
    expect(() => new StreamRedactor(() => [], policy, new PseudonymVault(), { holdback: 0, context: 0, maxToken: 0, maxBlock: 0, batch: 0 })).toThrow(
      RangeError,
    );
  });
});
