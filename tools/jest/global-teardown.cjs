const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '../..');

module.exports = async function globalTeardown() {
  const { dropDatabase } = require(path.join(root, 'libs/db/src/testing.ts'));
  const { adminUrl, template } = globalThis.__attestTemplate ?? {};
  if (adminUrl && template) await dropDatabase(adminUrl, template);
  const embedded = globalThis.__attestEmbedded;
  if (embedded) {
    await embedded.server.stop();
    fs.rmSync(embedded.dataDir, { recursive: true, force: true });
  }
};
