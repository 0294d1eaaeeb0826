/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // A user's jest project, run by test/cli/jest-helpers.test.ts with its own config.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/jest-project/'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // @faker-js/faker 9 and jose 5 ship CommonJS builds; nothing in node_modules needs transforming.
  transformIgnorePatterns: ['/node_modules/'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
