// Jest cannot require ESM-only packages on Node 20, and @fastify/static 10 requires content-disposition 2 (ESM-only).
// Under jest only, its `create` and `parse` come from the CommonJS content-disposition 1 in the tree (same API,
// `create` being v1's default export). Production (plain Node 20.19+) loads the real ESM package.
const path = require('node:path');
const v1 = require(path.join(__dirname, '..', '..', 'node_modules', 'content-disposition', 'index.js'));

module.exports = { create: v1, parse: v1.parse };
