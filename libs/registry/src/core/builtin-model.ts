import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The demo model committed in models/builtin (provenance and licence in models/builtin/README.md). */
export const BUILTIN_MODEL = {
  name: 'stories260k',
  fileName: 'stories260k-f32-v3.gguf',
  sha256: '3c4a7c3a8313e00ae6a6b64df717828f4ba18391ea31ffb01abe9a2c4f7bb9a9',
  licence: 'MIT',
  /** Stored instead of an absolute path, so a moved checkout or an image keeps resolving it. */
  storedPath: '@builtin/stories260k-f32-v3.gguf',
} as const;

export const BUILTIN_PATH_PREFIX = '@builtin/';

/**
 * Finds `models/builtin/<file>` in the nearest folder above `startDir` that has it, so the default works from the
 * sources (ts-node, jest) and from a compiled dist tree alike, whatever the working directory.
 */
export function locateBuiltinModel(startDir: string, fileName: string = BUILTIN_MODEL.fileName): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, 'models', 'builtin', fileName);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Turns a stored `@builtin/<file>` path into a file next to the configured built-in model. */
export function resolveStoredPath(storedPath: string, builtinModelPath: string): string {
  return storedPath.startsWith(BUILTIN_PATH_PREFIX)
    ? join(dirname(builtinModelPath), basename(storedPath.slice(BUILTIN_PATH_PREFIX.length)))
    : storedPath;
}
