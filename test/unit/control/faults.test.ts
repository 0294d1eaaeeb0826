import { DoubleError } from '../../../src/errors';
import { FaultRules, faultRuleProblems, firstMatchingRule, pathMatches, patternProblem, type FaultRuleInput } from '../../../src/control/faults';

describe('pathMatches', () => {
  it.each([
    ['/v1/apps/*', '/v1/apps/abc', true],
    ['/v1/apps/*', '/v1/apps/import', true],
    ['/v1/apps/*', '/v1/apps', false],
    ['/v1/apps/*', '/v1/apps/abc/copy', false],
    ['/v1/apps/**', '/v1/apps', true],
    ['/v1/apps/**', '/v1/apps/abc', true],
    ['/v1/apps/**', '/v1/apps/abc/media/files/a/b.png', true],
    ['/v1/apps/**', '/v1/appsx', false],
    ['/v1/apps/**', '/health', false],
    ['/**', '/health', true],
    ['/**', '/', true],
    ['/v1/apps/*/media/**/*.png', '/v1/apps/a/media/files/x/y/logo.png', true],
    ['/v1/apps/*/media/**/*.png', '/v1/apps/a/media/files/logo.jpg', false],
    ['/v1/apps/*/copy', '/v1/apps/a/copy', true],
    ['/v1/apps/*/copy', '/v1/apps/a/b/copy', false],
    ['/v1/apps/**/copy', '/v1/apps/copy', true],
    ['/health', '/health', true],
    ['/health', '/healthcheck', false],
    ['/health*', '/healthcheck', true],
    ['/v1/apps/a%20b', '/v1/apps/a%20b', true],
    ['/v1/apps/a b', '/v1/apps/a%20b', false],
  ])('%s against %s is %s', (pattern, path, expected) => {
    expect(pathMatches(pattern, path)).toBe(expected);
  });

  it('refuses a star-heavy pattern against a long path it does not match (matching never backtracks exponentially)', () => {
    const pattern = `/${'*a'.repeat(200)}b`;
    const path = `/${'a'.repeat(1000)}`;
    expect(pathMatches(pattern, path)).toBe(false);
  });
});

describe('patternProblem', () => {
  it.each(['/v1/apps/*', '/v1/apps/**', '/**', '/', '/v1/apps/*/media/**/*.png'])('accepts %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['v1/apps/*', /must start with "\/"/],
    ['*', /must start with "\/"/],
    ['/v1/apps?x=1', /query string/],
    ['/v1/apps#top', /query string/],
    ['/v1/ apps', /whitespace/],
    ['/v1/apps/**x', /"\*\*" must be a whole segment/],
    ['/v1/***', /"\*\*" must be a whole segment/],
  ])('refuses %s', (pattern, reason) => {
    expect(patternProblem(pattern)).toMatch(reason);
  });
});

describe('firstMatchingRule', () => {
  const rules: FaultRuleInput[] = [
    { method: 'POST', path: '/v1/apps', status: 503 },
    { path: '/v1/apps/**', latencyMs: 10 },
  ];

  it('picks the first rule whose method and pattern match, in the given order', () => {
    expect(firstMatchingRule(rules, 'POST', '/v1/apps')).toBe(rules[0]);
    expect(firstMatchingRule(rules, 'GET', '/v1/apps')).toBe(rules[1]);
    expect(firstMatchingRule(rules, 'GET', '/health')).toBeUndefined();
  });
});

describe('faultRuleProblems', () => {
  it('names every rule that has no effect, a bad pattern, or both a status and a drop, by pointer', () => {
    const problems = faultRuleProblems([
      { path: '/ok', latencyMs: 5 },
      { path: 'nope', status: 500 },
      { path: '/x' },
      { path: '/y', status: 500, drop: true },
      { path: '/z', drop: false },
    ]);
    expect(problems.map((p) => [p.source?.pointer, p.meta?.rule])).toEqual([
      ['/rules/1/path', 'pathPattern'],
      ['/rules/2', 'effect'],
      ['/rules/3/drop', 'effect'],
      ['/rules/4', 'effect'],
    ]);
  });
});

describe('FaultRules', () => {
  function rules(inputs: FaultRuleInput[]): FaultRules {
    let id = 0;
    const set = new FaultRules(() => (id += 1));
    set.replace(inputs);
    return set;
  }

  it('applies a counted rule to that many matching requests, then forgets it', () => {
    const set = rules([{ path: '/health', status: 503, count: 2 }]);
    expect(set.take('GET', '/health')).toEqual({ id: 1, path: '/health', status: 503, count: 2 });
    expect(set.list()).toEqual([{ id: 1, path: '/health', status: 503, count: 2, remaining: 1, applied: 1 }]);
    expect(set.take('GET', '/health')?.id).toBe(1);
    expect(set.list()).toEqual([]);
    expect(set.take('GET', '/health')).toBeUndefined();
  });

  it('keeps a rule without a count until cleared, counting what it applied to', () => {
    const set = rules([{ path: '/v1/apps/**', latencyMs: 1 }]);
    for (let i = 0; i < 5; i += 1) expect(set.take('GET', '/v1/apps/x')).toBeDefined();
    expect(set.list()).toEqual([{ id: 1, path: '/v1/apps/**', latencyMs: 1, applied: 5 }]);
    set.clear();
    expect(set.take('GET', '/v1/apps/x')).toBeUndefined();
  });

  it('does not count a request that no rule matches', () => {
    const set = rules([{ method: 'DELETE', path: '/v1/apps/*', drop: true, count: 1 }]);
    expect(set.take('GET', '/v1/apps/x')).toBeUndefined();
    expect(set.list()[0]).toMatchObject({ remaining: 1, applied: 0 });
  });

  it('refuses a set with a bad rule as a whole, keeping the rules it had', () => {
    const set = rules([{ path: '/health', status: 500 }]);
    expect(() => set.replace([{ path: '/ok', status: 500 }, { path: 'bad', status: 500 }])).toThrow(DoubleError);
    expect(set.list().map((r) => r.path)).toEqual(['/health']);
  });
});
