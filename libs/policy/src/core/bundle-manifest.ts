import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** The files that decide: a bundle is its schema plus its policies; tests, READMEs and signatures are not part of it. */
export function isBundleFile(path: string): boolean {
  return path.endsWith('.cedar') || path.endsWith('.cedarschema');
}

export interface BundleManifest {
  /** Bundle files sorted by path, each with the sha256 of its UTF-8 bytes. */
  files: { path: string; sha256: string }[];
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function bundleManifest(files: Readonly<Record<string, string>>): BundleManifest {
  return {
    files: Object.keys(files)
      .filter(isBundleFile)
      .sort()
      .map((path) => ({ path, sha256: sha256Hex(files[path] ?? '') })),
  };
}

/**
 * The bytes that identify (and that a signer signs): the manifest in RFC 8785 canonical JSON, so that any tool
 * recomputes the same digest from the same files regardless of key order or whitespace.
 */
export function canonicalManifest(manifest: BundleManifest): string {
  const text = canonicalize(manifest);
  if (text === undefined) throw new Error('manifest cannot be canonicalised');
  return text;
}
