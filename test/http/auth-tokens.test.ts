/**
 * Bad tokens against the secured scenario: each is a 401 with a Bearer challenge, never a 500, and
 * no trace of the token in the answer or the journal; the world is unchanged.
 */
import { SignJWT, generateKeyPair } from 'jose';
import { mintToken } from '../../src/auth/mint';
import { loadScenario } from '../../src/scenarios/registry';
import type { ScenarioDocument } from '../../src/scenarios/types';
import { errorsOf, newDouble } from '../support/double';

const SECURED = loadScenario('secured');
const SECRET = SECURED.security?.jwt?.secret ?? '';
const BOARD = '5ec0a9e1-0000-4000-8000-000000000001';
const secret = (value: string) => new TextEncoder().encode(value);

const BAD_TOKENS: [string, string, () => Promise<string>][] = [
  ['a malformed token', 'malformed', async () => 'this-is-not-a-jwt'],
  ['a token with a broken payload', 'malformed', async () => 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln'],
  ['an expired token', 'expired', () => mintToken({ sub: 'admin' }, { secret: SECRET, expiresIn: '-1h' })],
  ['a token not valid yet', 'not-yet-valid', () => new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setNotBefore('1h').sign(secret(SECRET))],
  ['a token signed with the wrong secret', 'signature', () => mintToken({ sub: 'admin' }, { secret: 'not-the-secured-scenario-secret' })],
  ['an unsigned token (alg none)', 'unsigned', () => mintToken({ sub: 'admin' })],
  ['a token signed with RS256', 'algorithm', async () => new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'RS256' }).sign((await generateKeyPair('RS256')).privateKey)],
  ['a token without sub', 'claims', () => new SignJWT({ name: 'Admin', groups: ['admins'] }).setProtectedHeader({ alg: 'HS256' }).sign(secret(SECRET))],
  ['a token whose groups are not a list', 'claims', () => new SignJWT({ sub: 'admin', groups: 'admins' }).setProtectedHeader({ alg: 'HS256' }).sign(secret(SECRET))],
];

describe('secured scenario: bad tokens', () => {
  it.each(BAD_TOKENS)('refuses %s with 401 (%s), a challenge, no echo of the token and no change', async (_case, reason, make) => {
    const token = await make();
    const { http, runtime } = newDouble({ scenario: SECURED });
    const before = runtime.model().toScenario();

    const responses = [
      await http.post('/v1/apps').set('authorization', `Bearer ${token}`).send({ attributes: { name: 'Intruder' } }),
      await http.delete(`/v1/apps/${BOARD}`).set('authorization', `Bearer ${token}`),
      await http.get('/sessions').set('authorization', `Bearer ${token}`),
    ];
    for (const res of responses) {
      expect(res.status).toBe(401);
      expect(errorsOf(res.body)[0]).toMatchObject({ code: 'UNAUTHORIZED', source: { header: 'authorization' }, meta: { reason } });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="qlik-engine-double", error="invalid_token", error_description="[^"]+"$/);
      expect(res.text).not.toContain(token);
      expect(res.headers['www-authenticate']).not.toContain(token);
    }
    expect(runtime.model().toScenario()).toEqual(before);
    expect(JSON.stringify(runtime.journal.list())).not.toContain(token);
    expect(runtime.journal.list().map((e) => e.status)).toEqual([401, 401, 401]);
    // Not a contract violation: the journal's violation list stays for the contract.
    expect(runtime.journal.violations()).toEqual([]);
  });

  it('refuses another scheme than Bearer with a challenge and no echo of the credentials', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const res = await http.get(`/v1/apps/${BOARD}`).set('authorization', 'Basic YWRtaW46c2VjcmV0');
    expect(res.status).toBe(401);
    expect(errorsOf(res.body)[0]?.meta).toEqual({ reason: 'scheme' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="qlik-engine-double"');
    expect(res.text).not.toContain('YWRtaW46c2VjcmV0');
  });

  it('keeps /health and /healthcheck open to probes without a token, even on a secured engine', async () => {
    const { http } = newDouble({ scenario: SECURED });
    expect((await http.get('/health')).status).toBe(200);
    expect((await http.get('/healthcheck')).status).toBe(200);
    expect((await http.get('/sessions')).status).toBe(401);
  });
});

describe('token validation modes over HTTP', () => {
  function variant(jwt: NonNullable<ScenarioDocument['security']>['jwt']): ScenarioDocument {
    return { ...SECURED, security: { ...SECURED.security, jwt } };
  }

  it('decode without a key accepts unsigned tokens but still refuses expired ones', async () => {
    const { http } = newDouble({ scenario: variant({ validate: 'decode' }) });
    const ok = await http.get(`/v1/apps/${BOARD}`).set('authorization', `Bearer ${await mintToken({ sub: 'viewer' })}`);
    expect(ok.status).toBe(200);
    const expired = await http.get(`/v1/apps/${BOARD}`).set('authorization', `Bearer ${await mintToken({ sub: 'viewer' }, { expiresIn: '-1m' })}`);
    expect([expired.status, errorsOf(expired.body)[0]?.meta?.reason]).toEqual([401, 'expired']);
  });

  it('a key given to the double replaces the scenario key', async () => {
    const { http } = newDouble({ scenario: SECURED, jwtKeys: { secret: 'the-command-line-secret' } });
    const withOverride = await http.get(`/v1/apps/${BOARD}`).set('authorization', `Bearer ${await mintToken({ sub: 'viewer' }, { secret: 'the-command-line-secret' })}`);
    const withScenarioSecret = await http.get(`/v1/apps/${BOARD}`).set('authorization', `Bearer ${await mintToken({ sub: 'viewer' }, { secret: SECRET })}`);
    expect([withOverride.status, withScenarioSecret.status]).toEqual([200, 401]);
  });

  it('an unsecured scenario does not read the Authorization header at all', async () => {
    const { http } = newDouble({ scenario: { ...SECURED, security: undefined } });
    const res = await http.post('/v1/apps').set('authorization', 'Bearer not-a-jwt').send({});
    expect(res.status).toBe(200);
    expect(res.body.attributes.owner).toBe('Personal\\Me');
  });

  it('refuses to start with a security section it cannot use', () => {
    expect(() => newDouble({ scenario: variant({ validate: 'signed' }) })).toThrow('no key verifies signatures');
    expect(() => newDouble({ scenario: SECURED, jwtKeys: { secret: 's', publicKey: 'p' } })).toThrow('not both');
  });
});
