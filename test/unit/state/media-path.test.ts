import { normaliseMediaPath, splitMediaPath, thumbnailMediaPath } from '../../../src/state/media-path';
import { DEFAULT_MEDIA_LIMITS } from '../../../src/state/options';
import { expectDoubleError } from './helpers';

describe('normaliseMediaPath', () => {
  const accepted: [string, string[]][] = [
    ['', []],
    ['logo.png', ['logo.png']],
    ['images/logo.png', ['images', 'logo.png']],
    ['a/b/c/d.txt', ['a', 'b', 'c', 'd.txt']],
    ['images/', ['images']],
    ['my%20file.png', ['my file.png']],
    ['100%25.png', ['100%.png']],
    ['caf%C3%A9/menu.pdf', ['café', 'menu.pdf']],
    ['...', ['...']],
    ['.hidden/x', ['.hidden', 'x']],
    ['a..b/c', ['a..b', 'c']],
    ['a+b.png', ['a+b.png']],
    ['docs/C:x', ['docs', 'C:x']],
  ];
  test.each(accepted)('accepts %j as %j', (raw, expected) => {
    expect(normaliseMediaPath(raw, DEFAULT_MEDIA_LIMITS)).toEqual(expected);
  });

  const refused: [string, string, RegExp][] = [
    ['dot-dot segment', '..', /"\.\." segment/],
    ['dot-dot in the middle', 'a/../b', /"\.\." segment/],
    ['dot segment', 'a/./b', /"\." segment/],
    ['encoded dot-dot', '%2e%2e', /"\.\." segment/],
    ['mixed-case encoded dot-dot', '%2E%2e/x', /"\.\." segment/],
    ['half-encoded dot-dot', 'a/.%2E/b', /"\.\." segment/],
    ['encoded slash in a segment', 'a%2fb', /encodes a "\/"/],
    ['encoded traversal with slash', '%2e%2e%2fetc%2fpasswd', /encodes a "\/"/],
    ['backslash', 'a\\b', /backslash/],
    ['backslash traversal', '\\..\\', /backslash/],
    ['encoded backslash', 'a%5cb', /backslash/],
    ['NUL byte', 'a\u0000b', /NUL/],
    ['encoded NUL', 'a%00b', /NUL/],
    ['control character', 'a%0Ab', /control character/],
    ['leading slash', '/etc/passwd', /absolute/],
    ['root slash alone', '/', /absolute/],
    ['drive letter', 'C:/x', /drive letter/],
    ['encoded drive letter', 'c%3A/x', /drive letter/],
    ['empty middle segment', 'a//b', /empty segment/],
    ['two trailing slashes', 'a//', /empty segment/],
    ['malformed escape', '%zz', /malformed percent-escape/],
    ['truncated escape', 'a%2', /malformed percent-escape/],
    ['escape that is not UTF-8', '%ff.png', /malformed percent-escape/],
  ];
  test.each(refused)('refuses %s: %j', (_name, raw, detail) => {
    const error = expectDoubleError(() => normaliseMediaPath(raw, DEFAULT_MEDIA_LIMITS), 'invalidMediaPath');
    expect(error.entries[0]?.detail).toMatch(detail);
    expect(error.entries[0]?.source).toEqual({ parameter: 'path' });
  });

  test('refuses paths longer than the limit and accepts one at the limit', () => {
    const limits = { maxMediaPathLength: 10, maxMediaPathDepth: 32 };
    expect(normaliseMediaPath('abcde/ghij', limits)).toEqual(['abcde', 'ghij']);
    const error = expectDoubleError(() => normaliseMediaPath('abcde/ghijk', limits), 'invalidMediaPath');
    expect(error.message).toMatch(/11 characters long; the limit is 10/);
  });

  test('measures the decoded length, not the percent-encoded one', () => {
    const limits = { maxMediaPathLength: 3, maxMediaPathDepth: 32 };
    expect(normaliseMediaPath('%61%62%63', limits)).toEqual(['abc']);
  });

  test('refuses paths deeper than the limit and accepts one at the limit', () => {
    const limits = { maxMediaPathLength: 1024, maxMediaPathDepth: 3 };
    expect(normaliseMediaPath('a/b/c', limits)).toEqual(['a', 'b', 'c']);
    const error = expectDoubleError(() => normaliseMediaPath('a/b/c/d', limits), 'invalidMediaPath');
    expect(error.message).toMatch(/4 segments deep; the limit is 3/);
  });

  test('uses the default limits when none are given', () => {
    expect(normaliseMediaPath(Array.from({ length: 32 }, () => 'a').join('/'))).toHaveLength(32);
    expectDoubleError(() => normaliseMediaPath(Array.from({ length: 33 }, () => 'a').join('/')), 'invalidMediaPath');
    expectDoubleError(() => normaliseMediaPath('x'.repeat(1025)), 'invalidMediaPath');
  });

  test('never yields a segment that could leave the tree', () => {
    const tricky = ['..%2f..', '%2e%2e', '%2E%2E%5C', 'a/%2e', '%2f', '%5c', '%00', './a', 'a/..', '%2e/a', 'a/b/%2e%2e/%2e%2e/%2e%2e'];
    for (const raw of tricky) {
      let segments: string[] | undefined;
      try {
        segments = normaliseMediaPath(raw);
      } catch {
        segments = undefined;
      }
      expect(segments).toBeUndefined();
    }
  });
});

describe('splitMediaPath (already decoded scenario keys)', () => {
  test('does not decode percent signs', () => {
    expect(splitMediaPath('images/100%.png')).toEqual(['images', '100%.png']);
  });
  test('applies the same refusals', () => {
    expectDoubleError(() => splitMediaPath('../x'), 'invalidMediaPath');
    expectDoubleError(() => splitMediaPath('/x'), 'invalidMediaPath');
    expectDoubleError(() => splitMediaPath('a\\b'), 'invalidMediaPath');
  });
});

describe('thumbnailMediaPath', () => {
  test.each([
    ['', undefined],
    [undefined, undefined],
    ['thumbs/a.png', 'thumbs/a.png'],
    ['media/files/thumbs/a.png', 'thumbs/a.png'],
    ['/media/files/thumbs/a.png', 'thumbs/a.png'],
    ['/api/v1/apps/abc-123/media/files/thumbs/a%20b.png', 'thumbs/a%20b.png'],
    ['/v1/apps/abc-123/media/files/a.png', 'a.png'],
    ['/api/v1/apps/abc-123/media/files/', undefined],
  ])('%j names %j', (attribute, expected) => {
    expect(thumbnailMediaPath(attribute)).toBe(expected);
  });
});
