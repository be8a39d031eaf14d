import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { sha256 } from './hashing';
import {
  addNoteSignatures,
  createNoteSigner,
  ed25519PrivateKeyFromSeed,
  generateEd25519PrivateKey,
  NoteFormatError,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  verifyNote,
} from './signed-note';
import { GO_NOTE_KEY_PAIRS } from './testdata/transparency-dev-merkle.vectors';

const signerFromGoKey = (skey: string) => {
  const [, , name, , encoded] = skey.split('+');
  const bytes = Buffer.from(skey.split('+').slice(4).join('+'), 'base64');
  expect(encoded).toBeDefined();
  return createNoteSigner(name!, ed25519PrivateKeyFromSeed(bytes.subarray(1)));
};

describe('C2SP signed note', () => {
  it.each(GO_NOTE_KEY_PAIRS)('derives the published verifier key and key id from $signer', ({ signer, verifier }) => {
    const sut = signerFromGoKey(signer);
    expect(sut.verifierKey).toBe(verifier);
    expect(sut.keyId.toString('hex')).toBe(signer.split('+')[3]);
    expect(parseVerifierKey(verifier).keyId.equals(sut.keyId)).toBe(true);
  });

  it('signs a checkpoint that verifies with the verifier key, and in the documented shape', () => {
    const signer = createNoteSigner('attest.test/audit/1', generateEd25519PrivateKey());
    const text = formatCheckpoint({ origin: 'attest.test/audit/1', size: 42, root: sha256(Buffer.from('x')), extensions: [] });
    const note = signNote(text, [signer]);
    expect(note).toMatch(/^attest\.test\/audit\/1\n42\n[A-Za-z0-9+/]{43}=\n\n\u2014 attest\.test\/audit\/1 [A-Za-z0-9+/]{91}=\n$/);
    const result = verifyNote(note, [parseVerifierKey(signer.verifierKey)]);
    expect(result.ok && parseCheckpoint(result.text)).toEqual({ origin: 'attest.test/audit/1', size: 42, root: sha256(Buffer.from('x')), extensions: [] });
  });

  it('ignores unknown keys, rejects a failing known key, and needs one trusted signature', () => {
    const log = createNoteSigner('log.example/a', generateEd25519PrivateKey());
    const stranger = createNoteSigner('log.example/a', generateEd25519PrivateKey());
    const witness = createNoteSigner('witness.example/w', generateEd25519PrivateKey());
    const note = signNote('hello\n', [log]);
    const trusted = [parseVerifierKey(log.verifierKey)];
    const cosigned = addNoteSignatures(note, parseSignedNote(signNote('hello\n', [witness])).signatures);
    expect(verifyNote(cosigned, trusted).ok).toBe(true);
    expect(verifyNote(note, [parseVerifierKey(stranger.verifierKey)])).toMatchObject({ ok: false, reason: 'no_trusted_signature' });
    expect(verifyNote(note.replace('hello', 'hellO'), trusted)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const forged = parseSignedNote(signNote('hello\n', [stranger])).signatures[0]!;
    const wrongSignature = note.replace(/ \S+\n$/, ` ${Buffer.concat([log.keyId, forged.signature]).toString('base64')}\n`);
    expect(verifyNote(wrongSignature, trusted)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects malformed notes, keys and checkpoints', () => {
    const signer = createNoteSigner('log.example/a', generateEd25519PrivateKey());
    const trusted = [parseVerifierKey(signer.verifierKey)];
    expect(verifyNote('hello\n\u2014 x abc\n', trusted)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyNote(signNote('hello\n', [signer]).replace('\u2014', '-'), trusted)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(() => signNote('no newline', [signer])).toThrow(NoteFormatError);
    expect(() => signNote('tab\there\n', [signer])).toThrow(NoteFormatError);
    expect(() => createNoteSigner('has space', generateEd25519PrivateKey())).toThrow(NoteFormatError);
    expect(() => parseVerifierKey(signer.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow('does not match');
    expect(() => parseCheckpoint('origin\n012\nAAAA\n')).toThrow(NoteFormatError);
    expect(() => parseCheckpoint(`origin\n12\n${Buffer.alloc(31).toString('base64')}\n`)).toThrow(NoteFormatError);
    expect(() => parseCheckpoint(`origin\n12\n${Buffer.alloc(32).toString('base64')}\n\n`)).toThrow(NoteFormatError);
  });
});
