// Every project's specs in one run, sharing one PostgreSQL started in the global setup.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs']
  .flatMap((group) => readdirSync(path.join(__dirname, group)).map((name) => path.join(__dirname, group, name, 'jest.config.cjs')))
  .filter((file) => existsSync(file));

module.exports = {
  projects,
  globalSetup: '<rootDir>/tools/jest/global-setup.cjs',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.cjs',
  testTimeout: 60_000,
};
