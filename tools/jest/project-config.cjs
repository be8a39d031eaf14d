// Builds one Nx project's jest config from the shared preset.
const path = require('node:path');
const preset = require('../../jest.preset.cjs');

module.exports = function projectConfig(dirname, overrides = {}) {
  return { ...preset, displayName: path.basename(dirname), rootDir: dirname, ...overrides };
};
