/**
 * A user's jest project, run by test/cli/jest-helpers.test.ts (never by the repository's own
 * jest: its testPathIgnorePatterns skips this folder). It uses the built package as an installed
 * one would be used: `qlik-engine-double/jest`'s globalSetup, globalTeardown and matchers, here
 * taken from the repository's dist/ since the package is not installed in its own node_modules.
 */
const path = require('node:path');

const dist = path.resolve(__dirname, '../../dist/src');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.js'],
  // Plain CommonJS tests: nothing to transform.
  transform: {},
  globalSetup: path.join(dist, 'jest/global-setup.js'),
  globalTeardown: path.join(dist, 'jest/global-teardown.js'),
  setupFilesAfterEnv: [path.join(dist, 'jest/matchers.js')],
  moduleNameMapper: {
    '^qlik-engine-double$': path.join(dist, 'index.js'),
    '^qlik-engine-double/client$': path.join(dist, 'client.js'),
    '^qlik-engine-double/jest$': path.join(dist, 'jest/index.js'),
  },
  // The options of the one double globalSetup starts for the run.
  globals: { engineDouble: { scenario: 'default', seed: 1, validation: 'strict' } },
  testTimeout: 10000,
};
