import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorsOf, newDouble } from '../support/double';
import { loadScenario } from '../../src/scenarios/registry';

/** An app of the shipped default scenario. */
const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

function defaultDouble() {
  return newDouble({ scenario: loadScenario('default') });
}

const threeApps = {
  name: 'three-apps',
  description: 'Three apps for the import suite.',
  apps: [
    { attributes: { id: 'app-1', name: 'One' } },
    { attributes: { id: 'app-2', name: 'Two' }, media: { 'logo.png': { base64: 'iVBORw0KGgo=' } } },
    { attributes: { id: 'app-3', name: 'Three' } },
  ],
};

describe('GET /__control/scenarios', () => {
  it('lists the shipped scenarios with descriptions and names the current one', async () => {
    const res = await defaultDouble().http.get('/__control/scenarios');
    expect(res.status).toBe(200);
    expect(res.body.current).toEqual({ namespace: '', name: 'default', description: expect.any(String), mode: 'stateful' });
    const names = res.body.scenarios.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['busy', 'default', 'empty', 'media-tree', 'unhealthy']));
    expect(names).toEqual([...names].sort());
    expect(res.body.scenarios.find((s: { name: string }) => s.name === 'busy')).toEqual({
      name: 'busy',
      description: expect.stringContaining('429'),
      source: 'shipped',
      file: path.join('scenarios', 'busy.yaml'),
    });
  });
});

describe('PUT /__control/scenario', () => {
  it('switches to busy: /health answers 429 and /healthcheck reports saturated', async () => {
    const { http } = defaultDouble();
    const res = await http.put('/__control/scenario').send({ name: 'busy' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ namespace: '', name: 'busy', mode: 'stateful' });
    const health = await http.get('/health');
    expect(health.status).toBe(429);
    expect(errorsOf(health.body)[0]!.code).toBe('ENGINE_BUSY');
    expect((await http.get('/healthcheck')).body.saturated).toBe(true);
  });

  it('switches to unhealthy: /health answers 503', async () => {
    const { http } = defaultDouble();
    expect((await http.put('/__control/scenario').send({ name: 'unhealthy' })).status).toBe(200);
    const health = await http.get('/health');
    expect(health.status).toBe(503);
    expect(errorsOf(health.body)[0]!.code).toBe('ENGINE_UNHEALTHY');
  });

  it('switches to empty: the default apps are gone and the state holds none', async () => {
    const { http } = defaultDouble();
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
    expect((await http.put('/__control/scenario').send({ name: 'empty' })).status).toBe(200);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
    expect((await http.get('/__control/state')).body).toMatchObject({ name: 'empty', apps: [], sessions: [] });
    expect((await http.get('/health')).status).toBe(200);
  });

  it('switches back to default with its apps as the file describes them, changes since gone', async () => {
    const { http } = defaultDouble();
    await http.delete(`/v1/apps/${SALES_OVERVIEW}`);
    await http.put('/__control/scenario').send({ name: 'empty' });
    expect((await http.put('/__control/scenario').send({ name: 'default' })).status).toBe(200);
    const app = await http.get(`/v1/apps/${SALES_OVERVIEW}`);
    expect(app.status).toBe(200);
    expect(app.body.attributes.name).toBe('Sales Overview');
  });

  it('answers 404 SCENARIO_NOT_FOUND for an unknown name, listing every known one, and changes nothing', async () => {
    const { http } = defaultDouble();
    const res = await http.put('/__control/scenario').send({ name: 'bussy' });
    expect(res.status).toBe(404);
    const [error] = errorsOf(res.body);
    expect(error!.code).toBe('SCENARIO_NOT_FOUND');
    expect(error!.detail).toMatch(/no scenario named "bussy"; known: .*busy/);
    expect(error!.meta?.known).toEqual(expect.arrayContaining(['busy', 'default', 'empty', 'unhealthy']));
    expect((await http.get('/__control/scenarios')).body.current.name).toBe('default');
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
  });

  it('refuses a body without a name as the contract says, naming the pointer', async () => {
    const res = await defaultDouble().http.put('/__control/scenario').send({ seed: 7 });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_BODY', source: { pointer: '/name' }, meta: { rule: 'required' } });
  });

  it('reports the seed a switch ran with, and the same seed gives the same world', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'control-scenarios-'));
    try {
      fs.writeFileSync(path.join(dir, 'generated.yaml'), 'name: generated\ngenerate:\n  apps:\n    count: 5\n');
      const { http } = newDouble({ scenario: loadScenario('empty'), scenariosDir: dir });
      const first = await http.put('/__control/scenario').send({ name: 'generated', seed: 7 });
      expect(first.body).toMatchObject({ name: 'generated', seed: 7 });
      const worldA = (await http.get('/__control/state')).body;
      await http.put('/__control/scenario').send({ name: 'generated', seed: 8 });
      const worldB = (await http.get('/__control/state')).body;
      await http.put('/__control/scenario').send({ name: 'generated', seed: 7 });
      const worldC = (await http.get('/__control/state')).body;
      expect(worldA.apps).toHaveLength(5);
      expect(worldC).toEqual(worldA);
      expect(worldB.apps).not.toEqual(worldA.apps);
      const listed = (await http.get('/__control/scenarios')).body.scenarios;
      expect(listed).toContainEqual({ name: 'generated', source: 'user', file: path.join(dir, 'generated.yaml') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('POST /__control/reset', () => {
  it('brings back the current scenario as loaded, undoing creates, updates and deletes', async () => {
    const { http } = defaultDouble();
    const before = (await http.get('/__control/state')).body;
    const created = await http.post('/v1/apps').send({ attributes: { name: 'Scratch' } });
    await http.put(`/v1/apps/${SALES_OVERVIEW}`).send({ attributes: { name: 'Renamed' } });
    await http.delete('/v1/apps/7b9e4d2a-1c3f-4a8b-b6d5-0e2f9c8a7d14');
    const res = await http.post('/__control/reset');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ namespace: '', name: 'default' });
    expect((await http.get(`/v1/apps/${created.body.attributes.id}`)).status).toBe(404);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).body.attributes.name).toBe('Sales Overview');
    expect((await http.get('/__control/state')).body).toEqual(before);
  });

  it('resets to the scenario switched to last, not the one the double started in', async () => {
    const { http } = defaultDouble();
    await http.put('/__control/scenario').send({ name: 'busy' });
    await http.post('/v1/apps').send({});
    await http.post('/__control/reset');
    const state = (await http.get('/__control/state')).body;
    expect(state.name).toBe('busy');
    expect(state.apps).toHaveLength(loadScenario('busy').apps!.length);
  });
});

describe('POST /__control/scenarios', () => {
  it('registers an inline scenario that is then listed and can be switched to', async () => {
    const { http } = defaultDouble();
    const registered = await http.post('/__control/scenarios').send(threeApps);
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ name: 'three-apps', description: 'Three apps for the import suite.', source: 'inline' });
    expect((await http.get('/__control/scenarios')).body.scenarios).toContainEqual(registered.body);
    expect((await http.get('/__control/scenarios')).body.current.name).toBe('default');

    expect((await http.put('/__control/scenario').send({ name: 'three-apps' })).status).toBe(200);
    expect((await http.get('/v1/apps/app-2')).body.attributes.name).toBe('Two');
    expect((await http.get('/v1/apps/app-2/media/list')).body).toEqual(['logo.png']);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
  });

  it('refuses an invalid scenario with every problem named by pointer and rule, registering nothing', async () => {
    const { http } = defaultDouble();
    const res = await http.post('/__control/scenarios').send({
      name: 'broken',
      condition: 'sleepy',
      apps: [{ attributes: { id: 'x', name: 'X', published: 'yes' } }],
    });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.body);
    expect(errors.every((e) => e.code === 'INVALID_SCENARIO')).toBe(true);
    expect(errors.map((e) => [e.source?.pointer, e.meta?.rule])).toEqual(
      expect.arrayContaining([
        ['/condition', 'enum'],
        ['/apps/0/attributes/published', 'type'],
      ]),
    );
    expect(errors.find((e) => e.source?.pointer === '/apps/0/attributes/published')!.detail).toBe(
      'POST /__control/scenarios#/apps/0/attributes/published must be boolean (type)',
    );
    const switched = await http.put('/__control/scenario').send({ name: 'broken' });
    expect(switched.status).toBe(404);
  });

  it('refuses the name of a scenario file with 409, so a file is never hidden', async () => {
    const res = await defaultDouble().http.post('/__control/scenarios').send({ name: 'busy', apps: [] });
    expect(res.status).toBe(409);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'SCENARIO_CONFLICT', source: { pointer: '/name' } });
  });

  it('refuses a body that is not a JSON object before reading it as a scenario', async () => {
    const res = await defaultDouble().http.post('/__control/scenarios').set('content-type', 'application/json').send('[1,2]');
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_BODY', meta: { rule: 'type' } });
  });
});

describe('GET and PUT /__control/state', () => {
  it('round-trips: export, change, restore gives back the exported world', async () => {
    const { http } = defaultDouble();
    const exported = await http.get('/__control/state');
    expect(exported.status).toBe(200);
    expect(exported.body.name).toBe('default');
    expect(exported.body.apps.map((a: { attributes: { id: string } }) => a.attributes.id)).toContain(SALES_OVERVIEW);

    await http.delete(`/v1/apps/${SALES_OVERVIEW}`);
    await http.post('/v1/apps').send({ attributes: { name: 'Added' } });
    expect((await http.get('/__control/state')).body).not.toEqual(exported.body);

    const restored = await http.put('/__control/state').send(exported.body);
    expect(restored.status).toBe(204);
    expect((await http.get('/__control/state')).body).toEqual(exported.body);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}/media/thumbnail`)).status).toBe(200);
  });

  it('keeps the current scenario: a reset after a restore goes back to the scenario', async () => {
    const { http } = defaultDouble();
    await http.put('/__control/state').send(threeApps);
    expect((await http.get('/v1/apps/app-1')).status).toBe(200);
    expect((await http.get('/__control/scenarios')).body.current.name).toBe('default');
    await http.post('/__control/reset');
    expect((await http.get('/v1/apps/app-1')).status).toBe(404);
    expect((await http.get(`/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
  });

  it('refuses an invalid state with pointers and leaves the world as it was', async () => {
    const { http } = defaultDouble();
    const before = (await http.get('/__control/state')).body;
    const res = await http.put('/__control/state').send({ name: 'x', apps: [{ attributes: { id: 'a' } }, { attributes: { id: 'a' } }] });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_SCENARIO', source: { pointer: '/apps/1/attributes/id' }, meta: { rule: 'uniqueId' } });
    expect((await http.get('/__control/state')).body).toEqual(before);
  });

  it('refuses a spec-examples document: that mode is switched to, not restored', async () => {
    const res = await defaultDouble().http.put('/__control/state').send({ name: 'x', mode: 'spec-examples' });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_SCENARIO', source: { pointer: '/mode' }, meta: { rule: 'mode' } });
  });
});
