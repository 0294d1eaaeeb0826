import fc from 'fast-check';
import { REDACTED, isSecretParameter, journalHeaders, redactedJsonHead, redactJson, redactUrl } from '../../../src/control/redact';

describe('redactUrl', () => {
  it.each([
    ['/v1/apps?access_token=abc', `/v1/apps?access_token=${REDACTED}`],
    ['/v1/apps/x?mode=NEW&qlikTicket=t&name=n', `/v1/apps/x?mode=NEW&qlikTicket=${REDACTED}&name=n`],
    ['/a?JWT=x&api_key=y&apiKey=z&client_secret=s&Password=p&my_token=q', `/a?JWT=${REDACTED}&api_key=${REDACTED}&apiKey=${REDACTED}&client_secret=${REDACTED}&Password=${REDACTED}&my_token=${REDACTED}`],
    ['/a?access%5Ftoken=x', `/a?access%5Ftoken=${REDACTED}`],
    ['/a?token=x&token=y', `/a?token=${REDACTED}&token=${REDACTED}`],
    ['/a?show=all&name=token', '/a?show=all&name=token'],
    ['/a?token', '/a?token'],
    ['/a?b=%zz', '/a?b=%zz'],
    ['/plain/path', '/plain/path'],
    ['http://user:pass@host/a?secret=1#frag', `http://${REDACTED}@host/a?secret=${REDACTED}#frag`],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('knows the usual secret parameters and leaves ordinary ones', () => {
    expect(['access_token', 'id_token', 'qlikTicket', 'password', 'secret', 'api_key', 'jwt', 'Authorization'].every(isSecretParameter)).toBe(true);
    expect(['mode', 'name', 'show', 'appId', 'xrfkey'].some(isSecretParameter)).toBe(false);
  });
});

describe('journalHeaders', () => {
  it('hides Authorization (keeping its scheme), cookies, sessions and proxy credentials, and keeps the rest', () => {
    expect(
      journalHeaders({
        authorization: 'Bearer eyJ.x.y',
        'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
        cookie: 'a=b',
        'set-cookie': ['s=1', 's=2'],
        'X-Qlik-Session': 's1',
        'X-Auth-Token': 't',
        'content-type': 'application/json',
        'content-length': undefined,
      }),
    ).toEqual({
      authorization: `Bearer ${REDACTED}`,
      'proxy-authorization': `Basic ${REDACTED}`,
      cookie: REDACTED,
      'set-cookie': REDACTED,
      'x-qlik-session': REDACTED,
      'x-auth-token': REDACTED,
      'content-type': 'application/json',
    });
    expect(journalHeaders({ authorization: 'opaque-secret' })).toEqual({ authorization: REDACTED });
  });
});

describe('redactedJsonHead', () => {
  // Parsed JSON, with secret-named keys among the ordinary ones so redaction happens at any depth.
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('password', 'access_token', 'qlikTicket', '__proto__'));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  })).value;

  it('is the head of JSON.stringify(redactJson(value)), cut at the limit, and says whether there was more', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 200 }), (value, limit) => {
        const whole = JSON.stringify(redactJson(value));
        expect(redactedJsonHead(value, limit)).toEqual({ text: whole.slice(0, limit), truncated: whole.length > limit });
      }),
      { numRuns: 500 },
    );
  });

  it('writes no more of a large body than its head', () => {
    const apps = Array.from({ length: 200_000 }, (_, i) => ({ attributes: { id: `app-${i}`, name: 'x'.repeat(40), password: 'secret' } }));
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const head = redactedJsonHead({ apps }, 1024);
      expect(head.truncated).toBe(true);
      expect(head.text).toHaveLength(1024);
      expect(head.text).toContain('"password":"[REDACTED]"');
      // Each key and primitive is written once, and only up to the head: a few dozen calls, not 200,000 apps' worth.
      expect(stringify.mock.calls.length).toBeLessThan(200);
    } finally {
      stringify.mockRestore();
    }
  });
});
