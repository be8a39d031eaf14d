import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const PORTAL = join(ROOT, 'apps/portal');
const INDEX = join(PORTAL, 'dist/index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The browser specs test the built portal the gateway serves. `npm test` builds it first (`npm run build:portal`); when
 * jest runs directly, a missing or stale build is rebuilt here so the specs never test old code.
 */
export function ensurePortalBuilt(): void {
  const stale = !existsSync(INDEX) || statSync(INDEX).mtimeMs < Math.max(newestSource(join(PORTAL, 'src')), statSync(join(PORTAL, 'index.html')).mtimeMs);
  if (!stale) return;
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [ROOT] })), 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(PORTAL, 'vite.config.mjs'), '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`portal build failed:\n${result.stdout}\n${result.stderr}`);
}
