import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { mintToken } from '../../../src/auth/mint';

const SECRET = 'mint-test-secret';

describe('mintToken', () => {
  it('signs the claims with HS256 and the secret, with iat and no exp unless asked', async () => {
    const token = await mintToken({ sub: 'alice', groups: ['viewers'], tenantId: 't1' }, { secret: SECRET });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: 'alice', groups: ['viewers'], tenantId: 't1', iat: expect.any(Number) });
  });

  it('makes an unsigned token (alg none) without a secret', async () => {
    const token = await mintToken({ sub: 'bob' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'none' });
    expect(token.endsWith('.')).toBe(true);
    expect(decodeJwt(token).sub).toBe('bob');
  });

  it('sets exp from a time span, in the past for a negative one', async () => {
    const later = decodeJwt(await mintToken({ sub: 'c' }, { expiresIn: '1h' }));
    expect((later.exp ?? 0) - (later.iat ?? 0)).toBe(3600);
    const earlier = decodeJwt(await mintToken({ sub: 'c' }, { expiresIn: '-1h' }));
    expect((earlier.exp ?? 0) - (earlier.iat ?? 0)).toBe(-3600);
  });

  it('signs with HS384 and HS512 when asked', async () => {
    expect(decodeProtectedHeader(await mintToken({ sub: 'd' }, { secret: SECRET, algorithm: 'HS512' })).alg).toBe('HS512');
  });

  it('refuses an empty sub, an empty secret, an unknown algorithm and a bad time span', async () => {
    await expect(mintToken({ sub: '' })).rejects.toThrow('sub must not be empty');
    await expect(mintToken({ sub: 'a' }, { secret: '' })).rejects.toThrow('secret must not be empty');
    await expect(mintToken({ sub: 'a' }, { secret: SECRET, algorithm: 'RS256' })).rejects.toThrow('HS256, HS384, HS512');
    await expect(mintToken({ sub: 'a' }, { expiresIn: 'soon' })).rejects.toThrow('time span');
  });
});
