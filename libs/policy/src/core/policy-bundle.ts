import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { bundleManifest, canonicalManifest, isBundleFile, sha256Hex, type BundleManifest } from './bundle-manifest';
import { compileBundle, type CompiledBundle } from './bundle-compiler';
import { PolicyError, PolicyErrorCode } from './policy.errors';

/** File name of a bundle's detached Ed25519 signature (base64) over its canonical manifest. */
export const SIGNATURE_FILE = 'bundle.sig';

/**
 * A Cedar policy bundle: one `.cedarschema` plus `.cedar` policy files, identified by the sha256 of a canonical
 * manifest of its files' hashes. Parsing and strict validation happen once, on first use, never per decision.
 *
 * @example
 * const bundle = await PolicyBundle.fromDirectory('policies');
 * const problems = bundle.validate(); // [] when valid, else `file:line:col: message` lines
 * console.log(bundle.sha256);
 */
export class PolicyBundle {
  /** Bundle files only (schema and policies), by relative path with `/` separators. */
  readonly files: Readonly<Record<string, string>>;
  readonly manifest: BundleManifest;
  readonly sha256: string;
  private compiled: CompiledBundle | undefined;

  private constructor(
    files: Record<string, string>,
    /** Detached base64 Ed25519 signature over {@link canonicalManifest}, when the bundle came with one. */
    readonly signature?: string,
  ) {
    this.files = Object.freeze(files);
    this.manifest = bundleManifest(files);
    this.sha256 = sha256Hex(canonicalManifest(this.manifest));
  }

  /** Builds a bundle from file contents by relative path; files other than `.cedar`/`.cedarschema` are ignored. */
  static fromFiles(files: Record<string, string>, options: { signature?: string } = {}): PolicyBundle {
    const kept: Record<string, string> = {};
    for (const [path, text] of Object.entries(files)) {
      const normalised = path.split(sep).join('/');
      if (normalised.startsWith('/') || normalised.split('/').includes('..')) {
        throw new PolicyError(PolicyErrorCode.BundleInvalid, `bundle file path must be relative: ${path}`);
      }
      if (isBundleFile(normalised)) kept[normalised] = text;
    }
    return new PolicyBundle(kept, options.signature ?? files[SIGNATURE_FILE]?.trim());
  }

  /** Reads every `.cedar` and `.cedarschema` file under `dir` (recursively) and `bundle.sig` when present. */
  static async fromDirectory(dir: string): Promise<PolicyBundle> {
    let paths: string[];
    try {
      paths = (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile() && (isBundleFile(entry.name) || entry.name === SIGNATURE_FILE))
        .map((entry) => join(entry.parentPath, entry.name));
    } catch (error) {
      throw new PolicyError(PolicyErrorCode.BundleNotFound, `cannot read policy folder ${dir}: ${(error as Error).message}`, [], { cause: error });
    }
    const files: Record<string, string> = {};
    for (const path of paths) files[relative(dir, path).split(sep).join('/')] = await readFile(path, 'utf8');
    if (Object.keys(files).filter(isBundleFile).length === 0) {
      throw new PolicyError(PolicyErrorCode.BundleNotFound, `no .cedar or .cedarschema files in ${dir}`);
    }
    return PolicyBundle.fromFiles(files);
  }

  /** Problems as `file:line:col: message` lines; empty when the bundle is valid. */
  validate(): string[] {
    return [...this.compile().problems];
  }

  /** Throws {@link PolicyErrorCode.BundleInvalid} with every problem unless the bundle is valid. */
  assertValid(): this {
    const problems = this.validate();
    if (problems.length > 0) {
      throw new PolicyError(PolicyErrorCode.BundleInvalid, `policy bundle ${this.sha256.slice(0, 12)} is invalid: ${problems[0]}`, problems);
    }
    return this;
  }

  /** Signs the canonical manifest with an Ed25519 private key (PEM or KeyObject); returns base64. */
  signWith(privateKey: string | KeyObject): string {
    const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
    return sign(null, Buffer.from(canonicalManifest(this.manifest)), key).toString('base64');
  }

  /** A copy of this bundle carrying `signature`. */
  withSignature(signature: string): PolicyBundle {
    return new PolicyBundle({ ...this.files }, signature);
  }

  /** Throws {@link PolicyErrorCode.SignatureInvalid} unless the bundle is signed by `publicKey` (Ed25519, PEM or KeyObject). */
  assertSignedBy(publicKey: string | KeyObject): this {
    if (!this.signature) throw new PolicyError(PolicyErrorCode.SignatureInvalid, `policy bundle ${this.sha256.slice(0, 12)} is not signed`);
    let valid = false;
    try {
      const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
      valid = verify(null, Buffer.from(canonicalManifest(this.manifest)), key, Buffer.from(this.signature, 'base64'));
    } catch (error) {
      throw new PolicyError(PolicyErrorCode.SignatureInvalid, `cannot verify the bundle signature: ${(error as Error).message}`, [], { cause: error });
    }
    if (!valid) throw new PolicyError(PolicyErrorCode.SignatureInvalid, `policy bundle ${this.sha256.slice(0, 12)} has a signature that does not verify`);
    return this;
  }

  /** @internal The parsed, validated and preparsed form; built once. */
  compile(): CompiledBundle {
    this.compiled ??= compileBundle(this.files, this.sha256);
    return this.compiled;
  }
}
