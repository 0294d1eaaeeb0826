import { parseByteSize } from '../../src/units';

// Kept by hand rather than the `bytes` package on purpose: bytes.parse falls back to parseInt, so
// "50 MiB" or "5 apples" would silently become 50 or 5 bytes; a limit must never be misread.
describe('parseByteSize', () => {
  it.each([
    ['50mb', 50 * 1024 ** 2],
    ['512KB', 512 * 1024],
    [' 1gb ', 1024 ** 3],
    ['1.5mb', 1.5 * 1024 ** 2],
    ['10', 10],
    [0, 0],
    [1048576, 1048576],
  ] as const)('reads %j as %d bytes', (value, expected) => {
    expect(parseByteSize(value)).toBe(expected);
  });

  it.each(['50 MiB', '5 apples', '-1kb', '1e3', '', 'mb'])('refuses %j instead of guessing', (value) => {
    expect(() => parseByteSize(value)).toThrow(/cannot read .* as a size/);
  });

  it.each([-1, 1.5, Number.NaN])('refuses the number %d', (value) => {
    expect(() => parseByteSize(value)).toThrow(/whole number of bytes/);
  });
});
