const preset = require('../../jest.preset.cjs');

module.exports = require('../../tools/jest/project-config.cjs')(__dirname, {
  // See src/support/content-disposition.cjs: an ESM-only dependency of @fastify/static that jest cannot require().
  moduleNameMapper: { ...preset.moduleNameMapper, '^content-disposition$': '<rootDir>/src/support/content-disposition.cjs' },
});
