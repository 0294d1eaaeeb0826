/**
 * `qlik-engine-double/jest`: a globalSetup / globalTeardown pair that runs one double for a jest
 * run, a way for tests to reach it, and the `toHaveNoContractViolations` and `toHaveReceived` matchers (registered by
 * `qlik-engine-double/jest/matchers`; importing this module brings its type). docs/jest.md.
 *
 * @example
 * import { connectGlobalEngineDouble } from 'qlik-engine-double/jest';
 *
 * const engine = await connectGlobalEngineDouble();
 * await expect(engine).toHaveNoContractViolations();
 */
export { connectGlobalEngineDouble, createGlobalSetup, ENGINE_DOUBLE_ENV, globalSetup, globalTeardown, JEST_GLOBALS_KEY, type GlobalDoubleOptions } from './setup';
export { formatContractViolations, toHaveNoContractViolations, type ContractViolationOptions, type MatcherResult, type ViolationSource } from './matcher';
export { toHaveReceived, type ReceivedSource } from './received-matcher';
