/**
 * Worlds that cost almost nothing to make (issue 13): a scenario is prepared and decoded once per
 * seed, namespaces share its base, and a switch to a scenario not yet built lets the other
 * namespaces answer while it builds. Order of events is asserted, never durations (those are in
 * `npm run bench -- --only worlds`).
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { invokeControl } from '../../src/control/invoke';
import { NAMESPACE_HEADER } from '../../src/control/namespaces';
import { loadScenario } from '../../src/scenarios/registry';
import { validateScenarioDocument } from '../../src/scenarios/validate';
import { EngineModel } from '../../src/state/engine';
import { Worlds } from '../../src/state/worlds';

/** Enough generated apps with data models that building them takes many slices. */
const GENERATED = { name: 'generated', generate: { apps: { count: 1500, withDataModel: true } } };

function inNamespace(namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [NAMESPACE_HEADER]: namespace, ...extra };
}

describe('worlds of a running double', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: loadScenario('default'), log: () => undefined });
  });
  afterAll(() => engine.close());

  async function switchTo(namespace: string, body: object): Promise<Response> {
    return fetch(`${engine.url}/__control/scenario`, { method: 'PUT', headers: inNamespace(namespace, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
  }

  it('answers /health in another namespace while a switch builds a scenario for the first time', async () => {
    const registered = await fetch(`${engine.url}/__control/scenarios`, { method: 'POST', headers: inNamespace('builder', { 'content-type': 'application/json' }), body: JSON.stringify(GENERATED) });
    expect(registered.status).toBe(201);
    const order: string[] = [];
    // In process, so the build is under way when the call returns: its first slice runs before the call's first await.
    const switched = invokeControl(engine.runtime, 'PUT /__control/scenario', { namespace: 'builder', body: { name: 'generated', seed: 31 } }).then((res) => {
      order.push('switch');
      return res;
    });
    const health = await fetch(`${engine.url}/health`);
    order.push('health');
    expect(health.status).toBe(200);
    expect((await switched).status).toBe(200);
    expect(order).toEqual(['health', 'switch']);
  });

  it('answers /health in another namespace while a large state document is restored, and a later switch wins over that restore', async () => {
    // A state document is a scenario document: 300 apps written out, and more generated (which takes many slices).
    const written = EngineModel.fromScenario(validateScenarioDocument({ name: 'written', generate: { apps: { count: 300, withDataModel: true } } }, 'test', { seed: 47 })).toScenario();
    const state = { ...written, name: 'restored', generate: { apps: { count: 1000, withDataModel: true } }, seed: 48 };
    const order: string[] = [];
    // In process, so the restore is under way when the call returns (as the switch above).
    const restored = invokeControl(engine.runtime, 'PUT /__control/state', { namespace: 'restorer', body: state }).then((res) => {
      order.push('restore');
      return res;
    });
    const health = await fetch(`${engine.url}/health`);
    order.push('health');
    expect(health.status).toBe(200);
    // Started after the restore, finished before it: the restore must not undo it.
    expect((await switchTo('restorer', { name: 'empty' })).status).toBe(200);
    expect((await restored).status).toBe(204);
    expect(order).toEqual(['health', 'restore']);
    expect(engine.runtime.namespaces.get('restorer').model.toScenario()).toMatchObject({ name: 'empty', apps: [] });
    // Nothing came after this one: it is restored whole, the scenario to reset to staying "empty".
    expect((await invokeControl(engine.runtime, 'PUT /__control/state', { namespace: 'restorer', body: state })).status).toBe(204);
    const world = engine.runtime.namespaces.get('restorer').model.toScenario();
    expect([world.name, world.apps?.length, world.apps?.slice(0, 300)]).toEqual(['restored', 1300, written.apps]);
    expect(engine.runtime.namespaces.get('restorer').scenario.name).toBe('empty');
  });

  it('answers /health in another namespace while a state document of thousands of apps is checked, and refuses its last app', async () => {
    // No generator and a refusal: everything the restore does is its preparation's key and check.
    const apps: object[] = Array.from({ length: 3000 }, (_, i) => ({ attributes: { id: `app-${i}`, name: `App ${i}`, description: 'x'.repeat(100) } }));
    apps.push({ attributes: { id: 'last', published: 'no' } });
    const document = { name: 'checked', apps };
    const order: string[] = [];
    const refused = invokeControl(engine.runtime, 'PUT /__control/state', { namespace: 'checked', body: document }).then(
      () => new Error('a document with a broken app was restored'),
      (error: unknown) => {
        order.push('restore');
        return error;
      },
    );
    const health = await fetch(`${engine.url}/health`);
    order.push('health');
    expect(health.status).toBe(200);
    expect(await refused).toMatchObject({ status: 400, entries: [expect.objectContaining({ code: 'INVALID_SCENARIO', source: { pointer: '/apps/3000/attributes/published' } })] });
    expect(order).toEqual(['health', 'restore']);
  });

  it('gives a namespace that switches to an already built scenario and seed the same apps, and keeps its writes its own', async () => {
    expect((await switchTo('builder', { name: 'generated', seed: 31 })).status).toBe(200);
    await fetch(`${engine.url}/__control/scenarios`, { method: 'POST', headers: inNamespace('twin', { 'content-type': 'application/json' }), body: JSON.stringify(GENERATED) });
    expect((await switchTo('twin', { name: 'generated', seed: 31 })).status).toBe(200);
    const ids = engine.runtime.namespaces.get('twin').model.listApps().map((app) => app.attributes.id);
    expect(engine.runtime.namespaces.get('builder').model.listApps().map((app) => app.attributes.id)).toEqual(ids);
    const renamed = await fetch(`${engine.url}/v1/apps/${ids[0]}`, { method: 'PUT', headers: inNamespace('twin', { 'content-type': 'application/json' }), body: JSON.stringify({ attributes: { name: 'only in twin' } }) });
    expect(renamed.status).toBe(200);
    expect(engine.runtime.namespaces.get('builder').model.getApp(ids[0]!).attributes.name).not.toBe('only in twin');
  });
});

describe('scenarios are prepared and decoded once', () => {
  it('gives back the same prepared document for the same text and seed, another for another seed', () => {
    const first = validateScenarioDocument(GENERATED, 'test', { seed: 5 });
    expect(validateScenarioDocument(JSON.parse(JSON.stringify(GENERATED)), 'test', { seed: 5 })).toBe(first);
    expect(validateScenarioDocument(GENERATED, 'test', { seed: 6 })).not.toBe(first);
  });

  it('decodes a document into its base once, however many worlds are made of it', () => {
    const decode = jest.spyOn(EngineModel, 'baseOf');
    try {
      const worlds = new Worlds();
      const scenario = loadScenario('default');
      const one = worlds.world(scenario);
      const two = worlds.world(scenario);
      expect(decode).toHaveBeenCalledTimes(1);
      one.deleteApp(one.listApps()[0]!.attributes.id);
      expect(two.listApps().length).toBe(one.listApps().length + 1);
    } finally {
      decode.mockRestore();
    }
  });
});
