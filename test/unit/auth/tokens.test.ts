import { SignJWT, UnsecuredJWT, exportSPKI, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { DoubleError } from '../../../src/errors';
import { bearerToken, identityFromToken, publicKey, secretKey, type TokenSettings } from '../../../src/auth/tokens';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SECRET = 'unit-test-secret-of-enough-length';

function hs(payload: JWTPayload, secret = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

function unsigned(payload: JWTPayload): string {
  return new UnsecuredJWT(payload).encode();
}

/** The 401 a call throws, checked for the shape every refusal has: a reason, a challenge, no token quoted. */
async function refusal(call: Promise<unknown> | (() => unknown), token?: string): Promise<DoubleError> {
  let caught: unknown;
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DoubleError);
  const error = caught as DoubleError;
  expect(error.status).toBe(401);
  expect(error.entries[0]).toMatchObject({ code: 'UNAUTHORIZED', source: { header: 'authorization' } });
  expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer realm="qlik-engine-double"/);
  if (token) expect(JSON.stringify({ entries: error.entries, headers: error.headers })).not.toContain(token);
  return error;
}

function reasonOf(error: DoubleError): unknown {
  return error.entries[0]?.meta?.reason;
}

const signed: TokenSettings = { validation: 'signed', key: secretKey(SECRET) };
const decode: TokenSettings = { validation: 'decode' };
const decodeWithKey: TokenSettings = { validation: 'decode', key: secretKey(SECRET) };
const off: TokenSettings = { validation: 'off' };

describe('bearerToken reads the Authorization header', () => {
  it('returns undefined without a header and the token of a Bearer header, whatever the scheme case', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('refuses another scheme with a challenge that carries no error code', async () => {
    const error = await refusal(() => bearerToken('Basic dXNlcjpwYXNz'), 'dXNlcjpwYXNz');
    expect(reasonOf(error)).toBe('scheme');
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="qlik-engine-double"');
  });

  it('refuses a Bearer header without a token as malformed', async () => {
    expect(reasonOf(await refusal(() => bearerToken('Bearer ')))).toBe('malformed');
    expect(reasonOf(await refusal(() => bearerToken('Bearer a b')))).toBe('malformed');
  });
});

describe('identityFromToken with a secret (signed)', () => {
  it('reads sub, groups, name, subType and tenantId from a token signed with the secret', async () => {
    const token = await hs({ sub: 'alice', groups: ['viewers', 'finance'], name: 'Alice', subType: 'user', tenantId: 't1', extra: 1 });
    expect(await identityFromToken(token, signed, NOW)).toEqual({
      authenticated: true,
      sub: 'alice',
      groups: ['viewers', 'finance'],
      name: 'Alice',
      subType: 'user',
      tenantId: 't1',
    });
  });

  it('accepts HS384 and HS512 as well', async () => {
    expect((await identityFromToken(await hs({ sub: 'a' }, SECRET, 'HS384'), signed, NOW)).sub).toBe('a');
    expect((await identityFromToken(await hs({ sub: 'b' }, SECRET, 'HS512'), signed, NOW)).sub).toBe('b');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hs({ sub: 'alice' }, 'another-secret-entirely-different');
    const error = await refusal(identityFromToken(token, signed, NOW), token);
    expect(reasonOf(error)).toBe('signature');
    expect(error.headers['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('refuses an unsigned token (alg none) when signatures are required', async () => {
    const token = unsigned({ sub: 'alice' });
    expect(reasonOf(await refusal(identityFromToken(token, signed, NOW), token))).toBe('unsigned');
  });

  it('refuses an expired token and one not valid yet', async () => {
    const expired = await hs({ sub: 'alice', exp: NOW_SECONDS });
    expect(reasonOf(await refusal(identityFromToken(expired, signed, NOW), expired))).toBe('expired');
    const early = await hs({ sub: 'alice', nbf: NOW_SECONDS + 60 });
    expect(reasonOf(await refusal(identityFromToken(early, signed, NOW), early))).toBe('not-yet-valid');
    expect((await identityFromToken(await hs({ sub: 'alice', exp: NOW_SECONDS + 1, nbf: NOW_SECONDS }), signed, NOW)).sub).toBe('alice');
  });

  it('refuses a token whose claims do not describe a user: no sub, an empty sub, groups of the wrong type', async () => {
    for (const payload of [{ name: 'nobody' }, { sub: '' }, { sub: 7 }, { sub: 'a', groups: 'viewers' }, { sub: 'a', groups: [1] }, { sub: 'a', tenantId: 3 }]) {
      const token = await hs(payload as JWTPayload);
      expect(reasonOf(await refusal(identityFromToken(token, signed, NOW), token))).toBe('claims');
    }
  });

  it('refuses malformed tokens of every kind as malformed, quoting none of them', async () => {
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const tokens = [
      'not-a-jwt',
      'a.b',
      'a.b.c',
      'a.b.c.d.e',
      `${Buffer.from('not json').toString('base64url')}.e30.sig`,
      `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.`,
      `${header}.%%%.sig`,
      `${header}.${Buffer.from('[1,2]').toString('base64url')}.sig`,
    ];
    for (const token of tokens) expect([token, reasonOf(await refusal(identityFromToken(token, signed, NOW), token))]).toEqual([token, 'malformed']);
  });

  it('refuses a signed token with a critical header it does not understand as malformed', async () => {
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 }).sign(new TextEncoder().encode(SECRET), { crit: { 'x-unknown': true } });
    expect(reasonOf(await refusal(identityFromToken(token, signed, NOW), token))).toBe('malformed');
  });

  it('refuses a token signed with an algorithm the key does not verify', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    const error = await refusal(identityFromToken(token, signed, NOW), token);
    expect(reasonOf(error)).toBe('algorithm');
    expect(error.entries[0]?.detail).toContain('HS256, HS384, HS512');
  });
});

describe('identityFromToken with a public key', () => {
  async function pair(alg: string): Promise<{ privateKey: KeyLike; pem: string }> {
    const { privateKey, publicKey: key } = await generateKeyPair(alg);
    return { privateKey, pem: await exportSPKI(key) };
  }

  it.each(['RS256', 'RS384', 'RS512'])('verifies %s with an RSA key', async (alg) => {
    const { privateKey, pem } = await pair('RS256');
    const token = await new SignJWT({ sub: 'rsa-user' }).setProtectedHeader({ alg }).sign(privateKey);
    expect((await identityFromToken(token, { validation: 'signed', key: publicKey(pem) }, NOW)).sub).toBe('rsa-user');
  });

  it.each([
    ['ES256', 'ES256'],
    ['ES384', 'ES384'],
    ['ES512', 'ES512'],
  ])('verifies %s with an EC key of its curve', async (alg) => {
    const { privateKey, pem } = await pair(alg);
    const token = await new SignJWT({ sub: 'ec-user' }).setProtectedHeader({ alg }).sign(privateKey);
    expect((await identityFromToken(token, { validation: 'signed', key: publicKey(pem) }, NOW)).sub).toBe('ec-user');
  });

  it('refuses a token signed by another key of the same kind', async () => {
    const { pem } = await pair('ES256');
    const other = await pair('ES256');
    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).sign(other.privateKey);
    expect(reasonOf(await refusal(identityFromToken(token, { validation: 'signed', key: publicKey(pem) }, NOW), token))).toBe('signature');
  });

  it('refuses an HS256 token made with the public key as its secret (algorithm confusion)', async () => {
    const { pem } = await pair('RS256');
    const token = await hs({ sub: 'mallory' }, pem);
    expect(reasonOf(await refusal(identityFromToken(token, { validation: 'signed', key: publicKey(pem) }, NOW), token))).toBe('algorithm');
  });

  it('refuses keys it cannot use: not PEM, or neither RSA nor EC on a supported curve', () => {
    expect(() => publicKey('not a key')).toThrow('not a PEM public key');
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => publicKey(ed)).toThrow('must be RSA or EC');
    expect(() => secretKey('')).toThrow('must not be empty');
  });
});

describe('identityFromToken in decode and off modes', () => {
  it('decode without a key reads signed and unsigned tokens unverified, but refuses expired ones', async () => {
    expect((await identityFromToken(await hs({ sub: 'a' }, 'whatever-secret-the-engine-never-saw'), decode, NOW)).sub).toBe('a');
    expect((await identityFromToken(unsigned({ sub: 'b' }), decode, NOW)).sub).toBe('b');
    const expired = unsigned({ sub: 'c', exp: NOW_SECONDS - 1 });
    expect(reasonOf(await refusal(identityFromToken(expired, decode, NOW), expired))).toBe('expired');
    const badExp = unsigned({ sub: 'c', exp: 'tomorrow' } as unknown as JWTPayload);
    expect(reasonOf(await refusal(identityFromToken(badExp, decode, NOW), badExp))).toBe('claims');
  });

  it('decode with a key verifies signed tokens and still accepts unsigned ones', async () => {
    const forged = await hs({ sub: 'a' }, 'not-the-engine-secret-at-all');
    expect(reasonOf(await refusal(identityFromToken(forged, decodeWithKey, NOW), forged))).toBe('signature');
    expect((await identityFromToken(await hs({ sub: 'a' }), decodeWithKey, NOW)).sub).toBe('a');
    expect((await identityFromToken(unsigned({ sub: 'b' }), decodeWithKey, NOW)).sub).toBe('b');
  });

  it('off reads the claims without checking signature or time, but still needs a well-formed token with a sub', async () => {
    expect((await identityFromToken(await hs({ sub: 'a', exp: 1 }, 'any-secret-value-here'), off, NOW)).sub).toBe('a');
    expect((await identityFromToken(unsigned({ sub: 'b', exp: 1 }), off, NOW)).sub).toBe('b');
    expect(reasonOf(await refusal(identityFromToken('x.y', off, NOW)))).toBe('malformed');
    const noSub = unsigned({ name: 'x' });
    expect(reasonOf(await refusal(identityFromToken(noSub, off, NOW), noSub))).toBe('claims');
  });

  it('refuses a token whose payload is not a JSON object as malformed', async () => {
    const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('[1,2]').toString('base64url')}.`;
    expect(reasonOf(await refusal(identityFromToken(token, decode, NOW), token))).toBe('malformed');
  });

  it('refuses an alg none token that carries a signature', async () => {
    const token = `${unsigned({ sub: 'a' })}c2ln`;
    expect(reasonOf(await refusal(identityFromToken(token, decode, NOW), token))).toBe('malformed');
  });
});

describe('non-canonical base64url (issue 12, item 5)', () => {
  /** A signed token whose signature holds a "-" or "_", so rewriting it in the "+/" alphabet changes it. */
  async function tokenWithUrlSafeSignature(): Promise<string> {
    for (let n = 0; ; n += 1) {
      const token = await hs({ sub: 'alice', n, iat: NOW_SECONDS });
      if (/[-_]/.test(token.split('.')[2]!)) return token;
    }
  }

  it('accepts the token as signed', async () => {
    const token = await tokenWithUrlSafeSignature();
    await expect(identityFromToken(token, signed, NOW)).resolves.toMatchObject({ sub: 'alice' });
  });

  it.each([
    ['"=" padding appended to the signature', (t: string) => `${t}=`],
    ['the signature in the "+/" alphabet', (t: string) => { const [h, p, s] = t.split('.'); return `${h}.${p}.${s!.replace(/-/g, '+').replace(/_/g, '/')}`; }],
    ['"=" padding on the payload', (t: string) => { const [h, p, s] = t.split('.'); return `${h}.${p}==.${s}`; }],
    ['unused bits set in the last signature character', (t: string) => {
      const [h, p, s] = t.split('.');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(s!.slice(-1));
      return `${h}.${p}.${s!.slice(0, -1)}${alphabet[last ^ 1]}`; // HS256's 43 characters leave 2 unused bits
    }],
  ])('refuses a validly signed token with %s: 401, reason "encoding"', async (_what, rewrite) => {
    const token = rewrite(await tokenWithUrlSafeSignature());
    const error = await refusal(identityFromToken(token, signed, NOW), token);
    expect(reasonOf(error)).toBe('encoding');
  });
});
