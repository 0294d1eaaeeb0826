import { cloneJson } from '../../../src/state/clone';

describe('cloneJson', () => {
  it('copies a JSON value deeply: equal, and sharing no object or array with the original', () => {
    const original = { name: 'Sales', published: false, count: 3, none: null, custom: { tags: ['a', { deep: [1, 2] }] } };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    copy.custom.tags.push('b');
    (copy.custom.tags[1] as { deep: number[] }).deep.push(3);
    expect(original.custom.tags).toEqual(['a', { deep: [1, 2] }]);
  });

  it('keeps a "__proto__" key from JSON a plain key, never the copy\'s prototype', () => {
    const original = JSON.parse('{"custom":{"__proto__":{"polluted":true},"x":1}}') as { custom: Record<string, unknown> };
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy.custom)).toBe(Object.prototype);
    expect((copy.custom as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy.custom)).toEqual(['__proto__', 'x']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });

  it('returns primitives as they are', () => {
    expect([cloneJson('text'), cloneJson(0), cloneJson(true), cloneJson(null)]).toEqual(['text', 0, true, null]);
  });
});
