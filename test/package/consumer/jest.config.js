/** A consumer's jest config: the package's global double and matcher, as docs/jest.md shows them. */
module.exports = {
  testEnvironment: 'node',
  globalSetup: 'qlik-engine-double/jest/global-setup',
  globalTeardown: 'qlik-engine-double/jest/global-teardown',
  setupFilesAfterEnv: ['qlik-engine-double/jest/matchers'],
  globals: { engineDouble: { scenario: 'busy', seed: 3 } },
};
