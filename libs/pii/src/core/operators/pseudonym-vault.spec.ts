import { inspect } from 'node:util';
import { PiiErrorCode } from '../pii.errors';
import { PseudonymVault } from './pseudonym-vault';

describe(PseudonymVault.name, () => {
  let sut: PseudonymVault;

  beforeEach(() => {
    sut = new PseudonymVault();
  });

  it('gives one value one placeholder and numbers values per type', () => {
    expect(sut.placeholderFor('PERSON', 'Ann', true)).toBe('<PERSON_1>');
    expect(sut.placeholderFor('PERSON', 'Bob', true)).toBe('<PERSON_2>');
    expect(sut.placeholderFor('PERSON', 'Ann', true)).toBe('<PERSON_1>');
    expect(sut.placeholderFor('EMAIL_ADDRESS', 'a@b.c', true)).toBe('<EMAIL_ADDRESS_1>');
  });

  it('restores the originals it sealed, in the answer text', () => {
    sut.placeholderFor('PERSON', 'Ann Lee', true);
    sut.placeholderFor('EMAIL_ADDRESS', 'ann@example.com', true);

    expect(sut.restore('Dear <PERSON_1>, we wrote to <EMAIL_ADDRESS_1>.')).toBe('Dear Ann Lee, we wrote to ann@example.com.');
  });

  it('leaves placeholders it did not seal untouched', () => {
    sut.placeholderFor('PERSON', 'Ann', false);

    expect(sut.restore('<PERSON_1> and <PERSON_7>')).toBe('<PERSON_1> and <PERSON_7>');
  });

  it('restores a placeholder split across streamed chunks', () => {
    sut.placeholderFor('PERSON', 'Ann Lee', true);
    const restorer = sut.createStreamRestorer();

    const output = ['Hello <PER', 'SON', '_1>, how', ' are you? a < b'].map((chunk) => restorer.push(chunk)).join('') + restorer.flush();

    expect(output).toBe('Hello Ann Lee, how are you? a < b');
  });

  it('keeps no original in clear inside the object', () => {
    sut.placeholderFor('PERSON', 'Zebulon Quist', true);

    expect(inspect(sut, { depth: 10, showHidden: true })).not.toContain('Zebulon');
  });

  it('refuses to work once destroyed', () => {
    sut.placeholderFor('PERSON', 'Ann', true);
    sut.destroy();

    expect(() => sut.restore('<PERSON_1>')).toThrow(expect.objectContaining({ code: PiiErrorCode.VaultUnavailable }));
    expect(sut.size).toBe(0);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new PseudonymVault(Buffer.alloc(16))).toThrow(expect.objectContaining({ code: PiiErrorCode.VaultUnavailable }));
  });
});
