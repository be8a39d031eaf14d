import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeVectors } from './attest-v1-vectors';

interface Vectors {
  verifierKey: string;
  events: string[];
  leafHashes: string[];
  root: string;
  checkpoint: string;
}

const committed = JSON.parse(readFileSync(join(__dirname, 'attest-v1.vectors.json'), 'utf8')) as Vectors;
const sha256 = (...parts: Buffer[]): Buffer => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();

describe('Attest v1 test vectors (docs/audit-format.md)', () => {
  it('are reproduced byte for byte by the implementation', () => {
    const sut = computeVectors();
    expect({
      verifierKey: sut.verifierKey,
      events: sut.events.map((e) => e.bytes.toString('utf8')),
      leafHashes: sut.events.map((e) => e.hash.toString('hex')),
      root: sut.root,
      checkpoint: sut.checkpoint,
    }).toEqual(committed);
  });

  // Written from the document alone, with node:crypto only: what a third-party verifier has to do.
  it('verify with nothing but the document and node:crypto', () => {
    const leaf = committed.events.map((text) => sha256(Buffer.from([0]), Buffer.from(text, 'utf8')));
    committed.events.forEach((text, seq) => {
      const event = JSON.parse(text) as { seq: number; prev: string };
      expect(event.seq).toBe(seq);
      expect(event.prev).toBe(seq === 0 ? '0'.repeat(64) : leaf[seq - 1]!.toString('hex'));
      expect(leaf[seq]!.toString('hex')).toBe(committed.leafHashes[seq]);
    });
    const node = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
    const root = node(node(leaf[0]!, leaf[1]!), leaf[2]!); // k = 2 for n = 3
    const [text, signatureBlock] = [committed.checkpoint.slice(0, committed.checkpoint.indexOf('\n\n') + 1), committed.checkpoint.slice(committed.checkpoint.indexOf('\n\n') + 2)];
    expect(text).toBe(`attest.example/audit/vectors\n3\n${root.toString('base64')}\n`);
    const [name, keyId, ...rest] = committed.verifierKey.split('+') as [string, string, ...string[]];
    const keyBase64 = rest.join('+'); // base64 may itself contain '+'
    const publicKey = Buffer.from(keyBase64, 'base64').subarray(1);
    expect(sha256(Buffer.from(`${name}\n`), Buffer.from([1]), publicKey).subarray(0, 4).toString('hex')).toBe(keyId);
    const [dash, signer, encoded] = signatureBlock.trimEnd().split(' ') as [string, string, string];
    expect([dash, signer]).toEqual(['\u2014', name]);
    const signature = Buffer.from(encoded, 'base64');
    expect(signature.subarray(0, 4).toString('hex')).toBe(keyId);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from(text), key, signature.subarray(4))).toBe(true);
  });
});
