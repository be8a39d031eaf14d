import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyBundle } from './policy-bundle';
import { TEST_SCHEMA } from './policy-test-fixtures';
import { PolicyErrorCode } from './policy.errors';

const VALID = `@id("allow") permit (principal, action, resource);\n`;

function filesWith(policies: Record<string, string>): Record<string, string> {
  return { 'attest.cedarschema': TEST_SCHEMA, ...policies };
}

describe(PolicyBundle.name, () => {
  it('is identified by the sha256 of its files, whatever their order, and ignores non-bundle files', () => {
    const sut = PolicyBundle.fromFiles({ 'b.cedar': VALID, 'attest.cedarschema': TEST_SCHEMA, 'README.md': 'x' });
    const same = PolicyBundle.fromFiles({ 'attest.cedarschema': TEST_SCHEMA, 'b.cedar': VALID, 'tests/a.json': '{}' });
    expect(sut.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(same.sha256).toBe(sut.sha256);
    expect(Object.keys(sut.files).sort()).toEqual(['attest.cedarschema', 'b.cedar']);
    expect(PolicyBundle.fromFiles(filesWith({ 'b.cedar': `${VALID} ` })).sha256).not.toBe(sut.sha256);
  });

  it('validates clean for a well-formed bundle', () => {
    expect(PolicyBundle.fromFiles(filesWith({ 'main.cedar': VALID })).validate()).toEqual([]);
  });

  it('reports a syntax error with file, line and column', () => {
    const sut = PolicyBundle.fromFiles(filesWith({ 'main.cedar': `${VALID}\n@id("broken")\npermit (principal, action resource);\n` }));
    expect(sut.validate()).toEqual([expect.stringMatching(/^main\.cedar:4:\d+: /)]);
  });

  it('reports a schema violation with file, line and Cedar\'s message', () => {
    const sut = PolicyBundle.fromFiles(filesWith({ 'main.cedar': `${VALID}@id("bad")\npermit (principal, action, resource) when { resource.size > 3 };\n` }));
    const [problem] = sut.validate();
    expect(problem).toMatch(/^main\.cedar:3:\d+: .*attribute `size` on entity type `Model` not found/);
  });

  it('requires a unique @id on every policy', () => {
    const sut = PolicyBundle.fromFiles(
      filesWith({ 'a.cedar': VALID, 'b.cedar': `${VALID}permit (principal, action, resource);\n` }),
    );
    expect(sut.validate()).toEqual([
      'b.cedar:1: @id("allow") is already used at a.cedar:1',
      expect.stringMatching(/^b\.cedar:2: every policy needs an @id/),
    ]);
  });

  it('refuses obligations it cannot enforce, and obligations on forbids', () => {
    const sut = PolicyBundle.fromFiles(
      filesWith({
        'main.cedar': `@id("a") @obligation("watermark:yes") permit (principal, action, resource);\n@id("b") @obligation("max_tokens:5") forbid (principal, action, resource);\n`,
      }),
    );
    expect(sut.validate()).toEqual([
      expect.stringContaining('main.cedar:1: obligation "watermark:yes": unknown kind'),
      'main.cedar:2: @obligation belongs on permit policies; a forbid never allows anything',
    ]);
  });

  it('needs exactly one schema and at least one policy file', () => {
    expect(PolicyBundle.fromFiles({ 'main.cedar': VALID }).validate()).toContain('bundle: expected exactly one .cedarschema file, found 0');
    expect(PolicyBundle.fromFiles({ 'a.cedarschema': TEST_SCHEMA }).validate()).toContain('bundle: no .cedar policy files');
  });

  it('refuses paths that leave the bundle', () => {
    expect(() => PolicyBundle.fromFiles({ '../x.cedar': VALID })).toThrow(expect.objectContaining({ code: PolicyErrorCode.BundleInvalid }));
  });

  it('reads a folder recursively with its signature, and refuses a folder without policies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attest-policy-'));
    try {
      await mkdir(join(dir, 'team'));
      await writeFile(join(dir, 'attest.cedarschema'), TEST_SCHEMA);
      await writeFile(join(dir, 'team', 'main.cedar'), VALID);
      await writeFile(join(dir, 'bundle.sig'), 'c2ln\n');
      const sut = await PolicyBundle.fromDirectory(dir);
      expect(sut.sha256).toBe(PolicyBundle.fromFiles(filesWith({ 'team/main.cedar': VALID })).sha256);
      expect(sut.signature).toBe('c2ln');
      await expect(PolicyBundle.fromDirectory(join(dir, 'team', 'nothing'))).rejects.toMatchObject({ code: PolicyErrorCode.BundleNotFound });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('verifies an Ed25519 signature over its manifest and refuses unsigned or tampered bundles', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const bundle = PolicyBundle.fromFiles(filesWith({ 'main.cedar': VALID }));
    const sut = bundle.withSignature(bundle.signWith(privateKey));
    expect(() => sut.assertSignedBy(publicKey)).not.toThrow();
    expect(() => sut.assertSignedBy(other)).toThrow(expect.objectContaining({ code: PolicyErrorCode.SignatureInvalid }));
    expect(() => bundle.assertSignedBy(publicKey)).toThrow(/not signed/);
    const tampered = PolicyBundle.fromFiles(filesWith({ 'main.cedar': `${VALID}\n` }), { signature: sut.signature });
    expect(() => tampered.assertSignedBy(publicKey)).toThrow(/does not verify/);
  });
});
