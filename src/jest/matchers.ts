/**
 * Registers `expect(engine).toHaveNoContractViolations()` and `expect(engine).toHaveReceived(matcher)` with jest. Load it once per test file,
 * through the jest config (`setupFilesAfterEnv: ['qlik-engine-double/jest/matchers']`) or an
 * import at the top of a test. Its type on jest's `expect` comes with any import of
 * `qlik-engine-double/jest` (see matcher.ts).
 *
 * @example
 * // jest.config.js
 * module.exports = { setupFilesAfterEnv: ['qlik-engine-double/jest/matchers'] };
 * // a test
 * afterAll(() => expect(engine).toHaveNoContractViolations());
 */
import { toHaveNoContractViolations } from './matcher';
import { toHaveReceived } from './received-matcher';

/** The part of jest's `expect` this file uses. */
interface JestExpect {
  extend(matchers: Record<string, (received: unknown, ...args: never[]) => unknown>): void;
}

const jestExpect = (globalThis as { expect?: Partial<JestExpect> }).expect;
if (typeof jestExpect?.extend !== 'function') {
  throw new Error('qlik-engine-double/jest/matchers adds a jest matcher: load it where jest defines expect (setupFilesAfterEnv, or a test file)');
}
jestExpect.extend({ toHaveNoContractViolations, toHaveReceived });

// Re-exported so this module's type declarations carry the matcher's type (jest.Matchers) too.
export { toHaveNoContractViolations, toHaveReceived };
