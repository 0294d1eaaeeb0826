import { startEngineDouble, type EngineDouble } from '../../src/index';
import { DEFAULT_MAX_NAMESPACES, MAX_NAMESPACE_LENGTH } from '../../src/control/namespaces';
import { loadScenario } from '../../src/scenarios/registry';
import { NAMESPACE_HEADER } from '../../src/server';
import { errorsOf, newDouble } from '../support/double';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

/** The header that addresses a namespace; none for the default one (an empty header is refused). */
function inNamespace(namespace: string): Record<string, string> {
  return namespace === '' ? {} : { [NAMESPACE_HEADER]: namespace };
}

describe('namespaces under concurrent use', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: loadScenario('default'), log: () => undefined });
  });
  afterAll(() => engine.close());

  async function createApp(namespace: string, name: string): Promise<{ status: number; id: string }> {
    const res = await fetch(`${engine.url}/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...inNamespace(namespace) },
      body: JSON.stringify({ attributes: { name } }),
    });
    const body = (await res.json()) as { attributes: { id: string } };
    return { status: res.status, id: body.attributes.id };
  }

  async function stateOf(namespace: string): Promise<{ name: string; apps: { attributes: { id: string; name: string } }[] }> {
    const res = await fetch(`${engine.url}/__control/state`, { headers: inNamespace(namespace) });
    return (await res.json()) as { name: string; apps: { attributes: { id: string; name: string } }[] };
  }

  it('keeps two namespaces apart: 50 parallel creates each, each sees only its own apps and the scenario\'s', async () => {
    const fixtureIds = (await stateOf('')).apps.map((a) => a.attributes.id);
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => [createApp('red', `red ${i}`), createApp('blue', `blue ${i}`)]).flat(),
    );
    expect(created.every((c) => c.status === 200)).toBe(true);
    for (const colour of ['red', 'blue']) {
      const state = await stateOf(colour);
      const own = state.apps.filter((a) => !fixtureIds.includes(a.attributes.id));
      expect(own).toHaveLength(50);
      expect(own.every((a) => a.attributes.name.startsWith(`${colour} `))).toBe(true);
      expect(state.apps.map((a) => a.attributes.id)).toEqual(expect.arrayContaining(fixtureIds));
    }
    const blueId = created[1]!.id; // creates alternate red, blue
    const fromRed = await fetch(`${engine.url}/v1/apps/${blueId}`, { headers: { [NAMESPACE_HEADER]: 'red' } });
    expect(fromRed.status).toBe(404);
    expect(((await fromRed.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('APP_NOT_FOUND');
    expect((await stateOf('')).apps.map((a) => a.attributes.id)).toEqual(fixtureIds);
  });

  it('switches and resets one namespace without touching another', async () => {
    const put = (namespace: string, path: string, body: unknown) =>
      fetch(`${engine.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...inNamespace(namespace) }, body: JSON.stringify(body) });
    const health = (namespace: string) => fetch(`${engine.url}/health`, { headers: inNamespace(namespace) }).then((r) => r.status);
    expect((await put('ops', '/__control/scenario', { name: 'busy' })).status).toBe(200);
    expect(await health('ops')).toBe(429);
    expect(await health('dev')).toBe(200);
    expect(await health('')).toBe(200);
    expect((await stateOf('dev')).name).toBe('default');
    await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`, { method: 'DELETE', headers: { [NAMESPACE_HEADER]: 'dev' } });
    await fetch(`${engine.url}/__control/reset`, { method: 'POST', headers: { [NAMESPACE_HEADER]: 'ops' } });
    expect((await stateOf('dev')).apps.map((a) => a.attributes.id)).not.toContain(SALES_OVERVIEW);
  });

  it('makes a new namespace from the default namespace\'s current scenario, and lists the namespaces', async () => {
    await fetch(`${engine.url}/__control/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":"unhealthy"}' });
    try {
      expect((await stateOf('late')).name).toBe('unhealthy');
      const listed = (await (await fetch(`${engine.url}/__control/namespaces`)).json()) as { limit: number; namespaces: { namespace: string; scenario: string }[] };
      expect(listed.limit).toBe(DEFAULT_MAX_NAMESPACES);
      expect(listed.namespaces).toEqual(expect.arrayContaining([{ namespace: '', scenario: 'unhealthy' }, { namespace: 'late', scenario: 'unhealthy' }, { namespace: 'ops', scenario: 'busy' }]));
      expect(listed.namespaces[0]).toEqual({ namespace: '', scenario: 'unhealthy' });
    } finally {
      await fetch(`${engine.url}/__control/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":"default"}' });
    }
  });

  it('answers a spec-examples namespace from Prism while another stays stateful', async () => {
    await fetch(`${engine.url}/__control/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json', [NAMESPACE_HEADER]: 'examples' }, body: '{"name":"spec-examples"}' });
    const fromExamples = await fetch(`${engine.url}/v1/apps/anything`, { headers: { [NAMESPACE_HEADER]: 'examples' } });
    expect(fromExamples.status).toBe(200);
    expect(((await fromExamples.json()) as { attributes: { id: string } }).attributes.id).toBe('string');
    expect((await fetch(`${engine.url}/v1/apps/anything`, { headers: { [NAMESPACE_HEADER]: 'stateful' } })).status).toBe(404);
  }, 60_000); // Prism's first import takes seconds on a busy machine
});

describe('namespace names and limits', () => {
  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['with a slash', 'a/b'],
    ['starting with a dot', '.a'],
    ['too long', 'n'.repeat(MAX_NAMESPACE_LENGTH + 1)],
  ])('refuses a header %s with 400 INVALID_NAMESPACE, on engine and control calls alike', async (_what, name) => {
    const { http, runtime } = newDouble();
    for (const res of [await http.get('/health').set(NAMESPACE_HEADER, name), await http.get('/__control/state').set(NAMESPACE_HEADER, name)]) {
      expect(res.status).toBe(400);
      expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_NAMESPACE', source: { header: NAMESPACE_HEADER } });
    }
    expect(runtime.namespaces.list().map((n) => n.name)).toEqual(['']);
    const journal = (await http.get('/__control/journal')).body.entries as { namespace?: string; status: number }[];
    expect(journal.slice(0, 2).map((e) => [e.namespace, e.status])).toEqual([[undefined, 400], [undefined, 400]]);
  });

  it(`holds at most ${DEFAULT_MAX_NAMESPACES} namespaces besides the default one: a new one beyond gets 429, a known one still works`, async () => {
    const { http } = newDouble();
    for (let i = 0; i < DEFAULT_MAX_NAMESPACES; i += 1) expect((await http.get('/health').set(NAMESPACE_HEADER, `ns-${i}`)).status).toBe(200);
    const beyond = await http.get('/health').set(NAMESPACE_HEADER, 'one-too-many');
    expect(beyond.status).toBe(429);
    expect(errorsOf(beyond.body)[0]).toMatchObject({ code: 'NAMESPACE_LIMIT', meta: { limit: DEFAULT_MAX_NAMESPACES } });
    expect((await http.get('/health').set(NAMESPACE_HEADER, 'ns-0')).status).toBe(200);
    expect((await http.delete('/__control/namespace').set(NAMESPACE_HEADER, 'ns-0')).status).toBe(204);
    expect((await http.get('/health').set(NAMESPACE_HEADER, 'one-too-many')).status).toBe(200);
  });

  it('holds at most maxNamespaces when told: the listing says so, 0 leaves only the default namespace', async () => {
    const two = newDouble({ maxNamespaces: 2 });
    for (const name of ['a', 'b']) expect((await two.http.get('/health').set(NAMESPACE_HEADER, name)).status).toBe(200);
    const beyond = await two.http.get('/health').set(NAMESPACE_HEADER, 'c');
    expect(beyond.status).toBe(429);
    expect(errorsOf(beyond.body)[0]).toMatchObject({ code: 'NAMESPACE_LIMIT', meta: { limit: 2 } });
    expect((await two.http.get('/__control/namespaces')).body).toMatchObject({ limit: 2, namespaces: [{ namespace: '' }, { namespace: 'a' }, { namespace: 'b' }] });
    const none = newDouble({ maxNamespaces: 0 });
    expect((await none.http.get('/health')).status).toBe(200);
    expect((await none.http.get('/health').set(NAMESPACE_HEADER, 'a')).status).toBe(429);
  });

  it.each([-1, 1.5, 100_001, Number.NaN])('refuses maxNamespaces %p at start', (maxNamespaces) => {
    expect(() => newDouble({ maxNamespaces })).toThrow(`maxNamespaces must be a whole number from 0 to 100000, not ${maxNamespaces}`);
  });

  it('drops a namespace with its world, and refuses to drop the default one', async () => {
    const { http } = newDouble({ scenario: loadScenario('default') });
    await http.delete(`/v1/apps/${SALES_OVERVIEW}`).set(NAMESPACE_HEADER, 'gone');
    expect((await http.delete('/__control/namespace').set(NAMESPACE_HEADER, 'gone')).status).toBe(204);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`).set(NAMESPACE_HEADER, 'gone')).status).toBe(200);
    const refused = await http.delete('/__control/namespace');
    expect(refused.status).toBe(400);
    expect(errorsOf(refused.body)[0]).toMatchObject({ code: 'INVALID_NAMESPACE', meta: { rule: 'required' } });
  });

  it('keeps inline scenarios per namespace', async () => {
    const { http } = newDouble();
    expect((await http.post('/__control/scenarios').set(NAMESPACE_HEADER, 'mine').send({ name: 'only-mine', apps: [] })).status).toBe(201);
    expect((await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'mine').send({ name: 'only-mine' })).status).toBe(200);
    const elsewhere = await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'yours').send({ name: 'only-mine' });
    expect(elsewhere.status).toBe(404);
    expect(errorsOf(elsewhere.body)[0]!.meta?.known).not.toContain('only-mine');
  });

  it("lets a namespace not made yet switch to the default namespace's inline scenarios, which it starts with", async () => {
    const { http } = newDouble();
    expect((await http.post('/__control/scenarios').send({ name: 'shared-inline', apps: [] })).status).toBe(201);
    const switched = await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'newcomer').send({ name: 'shared-inline' });
    expect([switched.status, switched.body]).toEqual([200, { namespace: 'newcomer', name: 'shared-inline', mode: 'stateful' }]);
    expect((await http.get('/__control/state').set(NAMESPACE_HEADER, 'newcomer')).body).toMatchObject({ name: 'shared-inline', apps: [] });
  });
});
