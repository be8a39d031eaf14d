#!/usr/bin/env node
// Runs a TypeScript entry point without a build step: swc strips types (keeping decorator metadata for NestJS)
// and tsconfig-paths resolves the @attest/* aliases.
const path = require('node:path');
const root = path.resolve(__dirname, '..');
process.env.TS_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
require('ts-node').register({ project: process.env.TS_NODE_PROJECT, swc: true });
require('tsconfig-paths').register({
  baseUrl: root,
  paths: require(path.join(root, 'tsconfig.base.json')).compilerOptions.paths,
});
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: run-ts.cjs <entry.ts> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(root, entry), ...args];
require(path.resolve(root, entry));
