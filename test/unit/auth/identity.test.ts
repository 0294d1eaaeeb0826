import { ClaimsProblem, MAX_CLAIM_LENGTH, MAX_GROUPS, identityFromClaims } from '../../../src/auth/identity';

describe('identityFromClaims', () => {
  it('keeps sub, groups (once each), name, subType and tenantId and ignores every other claim', () => {
    expect(identityFromClaims({ sub: 'alice', groups: ['a', 'b', 'a'], name: 'Alice', subType: 'user', tenantId: 't', iat: 1, custom: { x: 1 } })).toEqual({
      authenticated: true,
      sub: 'alice',
      groups: ['a', 'b'],
      name: 'Alice',
      subType: 'user',
      tenantId: 't',
    });
    expect(identityFromClaims({ sub: 'bob' })).toEqual({ authenticated: true, sub: 'bob', groups: [] });
  });

  it.each([
    ['no sub', {}],
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 42 }],
    ['a sub over the length limit', { sub: 'x'.repeat(MAX_CLAIM_LENGTH + 1) }],
    ['groups as a string', { sub: 'a', groups: 'viewers' }],
    ['an empty group', { sub: 'a', groups: [''] }],
    ['too many groups', { sub: 'a', groups: Array.from({ length: MAX_GROUPS + 1 }, (_, i) => `g${i}`) }],
    ['a numeric name', { sub: 'a', name: 1 }],
  ])('refuses claims with %s', (_case, claims) => {
    expect(() => identityFromClaims(claims)).toThrow(ClaimsProblem);
  });
});
