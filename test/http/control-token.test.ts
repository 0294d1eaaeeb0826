import { serveCli } from '../support/cli';
import { errorsOf, newDouble } from '../support/double';

const TOKEN = 's3cret-Token_1';

describe('--control-token', () => {
  const { http } = newDouble({ controlToken: TOKEN });

  it('refuses a control call without a token with 401 in the error shape and a Bearer challenge', async () => {
    const res = await http.get('/__control/scenarios');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="qlik-engine-double control"');
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'UNAUTHORIZED', source: { header: 'authorization' }, meta: { reason: 'control-token-missing' } });
  });

  it('refuses a wrong token, and another scheme, with 401', async () => {
    const wrong = await http.put('/__control/scenario').set('authorization', `Bearer ${TOKEN}x`).send({ name: 'busy' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="qlik-engine-double control", error="invalid_token"');
    expect(errorsOf(wrong.body)[0]!.meta).toEqual({ reason: 'control-token-mismatch' });
    const basic = await http.get('/__control/state').set('authorization', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`);
    expect(basic.status).toBe(401);
    expect(errorsOf(basic.body)[0]!.meta).toEqual({ reason: 'control-token-scheme' });
    expect((await http.get('/health')).status).toBe(200);
  });

  it('answers a control call with the token', async () => {
    const res = await http.get('/__control/scenarios').set('authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body.current.name).toBe('empty');
  });

  it('changes nothing for a refused call, and leaves engine routes open', async () => {
    const refused = await http.put('/__control/scenario').send({ name: 'busy' });
    expect(refused.status).toBe(401);
    expect((await http.get('/health')).status).toBe(200);
    expect((await http.post('/v1/apps').send({ attributes: { name: 'Open' } })).status).toBe(200);
  });

  it('refuses at start a token no header could carry', () => {
    expect(() => newDouble({ controlToken: 'has space' })).toThrow(/visible ASCII/);
    expect(() => newDouble({ controlToken: '' })).toThrow(/visible ASCII/);
  });

  it('does not ask for a token when none is set', async () => {
    expect((await newDouble().http.get('/__control/scenarios')).status).toBe(200);
  });
});

describe('qlik-engine-double serve --control-token', () => {
  it.each([
    ['the flag', ['--control-token', TOKEN], {}],
    ['CONTROL_TOKEN', [], { CONTROL_TOKEN: TOKEN }],
  ])('takes the token from %s', async (_from, args, env) => {
    const { child, url, exit } = await serveCli(['--port', '0', '--host', '127.0.0.1', ...args], { ...process.env, ...env });
    try {
      expect((await fetch(`${url}/__control/scenarios`)).status).toBe(401);
      expect((await fetch(`${url}/__control/scenarios`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  });
});
