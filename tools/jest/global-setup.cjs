// Once per test run: a real PostgreSQL (the machine's, when ATTEST_TEST_DATABASE_URL names one, else an embedded one
// in a temporary folder) and a migrated template database that each spec file clones into a database of its own.
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const root = path.resolve(__dirname, '../..');

require('ts-node').register({ project: path.join(root, 'tsconfig.json'), swc: true });
require('tsconfig-paths').register({ baseUrl: root, paths: require(path.join(root, 'tsconfig.base.json')).compilerOptions.paths });

module.exports = async function globalSetup() {
  process.env.TZ = 'UTC';
  const { EmbeddedPostgresServer } = require(path.join(root, 'libs/db/src/lib/embedded-postgres.server.ts'));
  const { createTemplateDatabase, TEST_ADMIN_URL_ENV, TEST_TEMPLATE_DB_ENV } = require(path.join(root, 'libs/db/src/testing.ts'));

  let adminUrl = process.env.ATTEST_TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-test-pg-'));
    const server = new EmbeddedPostgresServer({ dataDir, port: 0 });
    adminUrl = await server.start();
    globalThis.__attestEmbedded = { server, dataDir };
  }
  const template = await createTemplateDatabase(adminUrl);
  process.env[TEST_ADMIN_URL_ENV] = adminUrl;
  process.env[TEST_TEMPLATE_DB_ENV] = template;
  globalThis.__attestTemplate = { adminUrl, template };
};
