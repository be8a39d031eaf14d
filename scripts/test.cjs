#!/usr/bin/env node
// `npm test`: every project's unit and integration specs in one jest run (TZ pinned to UTC; ESM-only packages such as
// node-llama-cpp need --experimental-vm-modules). Totals go to .test-results/jest.json for CI.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const outputFile = process.env.ATTEST_TEST_RESULTS ?? path.join(root, '.test-results', 'jest.json');
require('node:fs').mkdirSync(path.dirname(outputFile), { recursive: true });
const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].filter(Boolean).join(' ');
// The portal's browser tests drive the built portal: build it first (about a second).
const build = spawnSync('npm', ['run', '-s', 'build:portal'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--maxWorkers=2', '--json', `--outputFile=${outputFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'UTC', NODE_OPTIONS: nodeOptions } },
);
process.exit(result.status ?? 1);
