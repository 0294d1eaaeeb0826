/**
 * Prism is an optional peer dependency: a spec-examples scenario is refused, naming the package to
 * install, where it cannot be resolved; stateful scenarios never look for it. (The consumer test,
 * test/package/consumer.test.ts, meets the refusal for real in an install without Prism.)
 */
import { DoubleError } from '../../../src/errors';
import { PRISM_PACKAGE, requireSpecExamplesSupport } from '../../../src/scenarios/spec-examples';

const missing = (name: string): string => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('requireSpecExamplesSupport', () => {
  it('refuses a spec-examples scenario without Prism, naming the package and how to install it', () => {
    let refusal: unknown;
    try {
      requireSpecExamplesSupport({ name: 'spec-examples', mode: 'spec-examples' }, missing);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DoubleError);
    expect((refusal as DoubleError).entries).toEqual([
      expect.objectContaining({
        code: 'INVALID_SCENARIO',
        detail: `scenario spec-examples runs in spec-examples mode, which needs the optional package ${PRISM_PACKAGE}: install it next to qlik-engine-double (npm install --save-dev @stoplight/prism-http@5.12.0)`,
        source: { pointer: '/mode' },
        meta: { rule: 'optionalDependency', package: '@stoplight/prism-http' },
      }),
    ]);
  });

  it('lets a stateful scenario through without looking for Prism, and a spec-examples one where Prism resolves', () => {
    const resolve = jest.fn(missing);
    expect(() => requireSpecExamplesSupport({ name: 'default' }, resolve)).not.toThrow();
    expect(resolve).not.toHaveBeenCalled();
    expect(() => requireSpecExamplesSupport({ name: 'spec-examples', mode: 'spec-examples' })).not.toThrow();
  });
});
