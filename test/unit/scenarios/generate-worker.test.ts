/**
 * Generated apps are made in a worker thread on a switch (src/scenarios/generate-host.ts) and kept
 * as text until read (src/state/generated-apps.ts). The Worker class is wrapped to record each
 * worker made, so a preparation that bypassed the worker fails these tests.
 */
import { once } from 'node:events';
import type { Worker as WorkerType } from 'node:worker_threads';
import { startEngineDouble } from '../../../src/index';
import { prepareScenarioInWorker, validateScenarioDocument } from '../../../src/scenarios/validate';
import type { ScenarioDocument } from '../../../src/scenarios/types';
import { EngineModel } from '../../../src/state/engine';
import { AppTable } from '../../../src/state/app-table';

const mockWorkers: WorkerType[] = [];
/** Told of the next worker made. */
const mockWaiters: ((worker: WorkerType) => void)[] = [];
jest.mock('node:worker_threads', () => {
  const actual = jest.requireActual<typeof import('node:worker_threads')>('node:worker_threads');
  class RecordedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      mockWorkers.push(this);
      for (const told of mockWaiters.splice(0)) told(this);
    }
  }
  return { ...actual, Worker: RecordedWorker };
});

beforeEach(() => {
  mockWorkers.length = 0;
});

/** The next worker made, or a rejection once `work` ends without one. */
function workerOf(work: Promise<unknown>): Promise<WorkerType> {
  const made = new Promise<WorkerType>((resolve) => mockWaiters.push(resolve));
  return Promise.race([made, work.then(() => Promise.reject(new Error('the work ended without a worker thread')))]);
}

/** Every generator feature, with apps written in the document before the generated ones. */
const MIXED: ScenarioDocument = {
  name: 'mixed',
  apps: [{ attributes: { id: 'written-1', name: 'Written' }, media: { 'a/b.txt': { text: 'hello' } } }],
  generate: { apps: { count: 600, withDataModel: true, mediaFilesPerApp: 2 } },
};

const world = (scenario: ScenarioDocument, options: { limits?: { maxMediaFilesPerApp: number } } = {}) =>
  EngineModel.fromScenario(scenario, { now: () => new Date('2024-05-01T00:00:00.000Z'), newId: () => 'fresh', ...options });

describe('generation in a worker thread', () => {
  it('makes the same document and world, byte for byte, as generation on this thread', async () => {
    const inWorker = await prepareScenarioInWorker(MIXED, 'worker origin', { seed: 77 });
    expect(mockWorkers).toHaveLength(1);
    const onThisThread = validateScenarioDocument(MIXED, 'thread origin', { seed: 77 });
    expect(mockWorkers).toHaveLength(1);
    expect(inWorker).not.toBe(onThisThread);
    expect(JSON.stringify(inWorker)).toBe(JSON.stringify(onThisThread));
    // A plain copy has every app as an object, decoded when its base is made: the lazy base must read the same.
    const eager = JSON.parse(JSON.stringify(inWorker)) as ScenarioDocument;
    expect(JSON.stringify(world(inWorker).toScenario())).toBe(JSON.stringify(world(eager).toScenario()));
    expect(world(inWorker).listApps().map((app) => app.attributes.id)).toEqual(eager.apps!.map((app) => app.attributes.id));
  });

  it('runs one worker for concurrent preparations of one text and seed', async () => {
    const [one, two] = await Promise.all([prepareScenarioInWorker(MIXED, 'shared', { seed: 78 }), prepareScenarioInWorker(MIXED, 'shared', { seed: 78 })]);
    expect(one).toBe(two);
    expect(mockWorkers).toHaveLength(1);
  });

  it('refuses with invalidScenario when the worker ends before the last app, and starts afresh next time', async () => {
    const failed = prepareScenarioInWorker(MIXED, 'ended', { seed: 79 });
    await (await workerOf(failed)).terminate();
    await expect(failed).rejects.toMatchObject({
      status: 400,
      entries: [expect.objectContaining({ code: 'INVALID_SCENARIO', source: { pointer: '/generate/apps' }, detail: expect.stringContaining('before the last app') })],
    });
    const again = await prepareScenarioInWorker(MIXED, 'ended', { seed: 79 });
    expect(mockWorkers).toHaveLength(2);
    expect(again.apps).toHaveLength(601);
  });

  it('ends the worker when every caller has stopped waiting', async () => {
    const stop = new AbortController();
    const pending = prepareScenarioInWorker(MIXED, 'given up', { seed: 80, signal: stop.signal });
    const exited = once(await workerOf(pending), 'exit');
    stop.abort();
    await expect(pending).rejects.toMatchObject({ status: 400, entries: [expect.objectContaining({ code: 'INVALID_SCENARIO' })] });
    await exited;
  });

  it('ends the worker of a switch under way when its double closes, which answers the switch', async () => {
    const engine = await startEngineDouble({ log: () => undefined });
    const headers = { 'content-type': 'application/json' };
    const registered = await fetch(`${engine.url}/__control/scenarios`, { method: 'POST', headers, body: JSON.stringify({ name: 'huge', generate: { apps: { count: 20_000 } } }) });
    expect(registered.status).toBe(201);
    const switched = fetch(`${engine.url}/__control/scenario`, { method: 'PUT', headers, body: JSON.stringify({ name: 'huge' }) });
    const exited = once(await workerOf(switched), 'exit');
    await engine.close();
    await exited;
    const answer = await switched;
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ errors: [{ code: 'INVALID_SCENARIO', detail: expect.stringContaining('stopped') }] });
  });
});

describe('a base of generated apps', () => {
  it('decodes an app on its first read into a frozen app that a caller cannot change, and keeps it', () => {
    const scenario = validateScenarioDocument({ name: 'lazy', generate: { apps: { count: 5, mediaFilesPerApp: 1 } } }, 'lazy', { seed: 3 });
    const { apps } = EngineModel.baseOf(scenario, {}, true);
    const ids = scenario.apps!.map((app) => app.attributes.id!);
    expect(apps.size).toBe(5);
    expect([...apps.keys()]).toEqual(ids);
    expect(apps.has(ids[2]!)).toBe(true);
    expect(apps.has('nope')).toBe(false);
    const app = apps.get(ids[2]!)!;
    expect(app.attributes.name).toBe(scenario.apps![2]!.attributes.name);
    expect(Object.isFrozen(app)).toBe(true);
    expect(Object.isFrozen(app.attributes)).toBe(true);
    expect(() => {
      (app.attributes as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(apps.get(ids[2]!)).toBe(app);
    expect([...apps.values()][2]).toBe(app);
    expect([...apps].map(([id]) => id)).toEqual(ids);
  });

  it('is asked whether it holds an app without decoding it (AppTable.has reads the base\'s has)', () => {
    const scenario = validateScenarioDocument({ name: 'lazy-has', generate: { apps: { count: 3 } } }, 'lazy-has', { seed: 4 });
    const { apps } = EngineModel.baseOf(scenario, {}, true);
    const table = new AppTable(apps);
    const read = jest.spyOn(apps, 'get');
    const [first, second] = scenario.apps!.map((app) => app.attributes.id!);
    expect(table.has(first!)).toBe(true);
    expect(table.has('nope')).toBe(false);
    table.delete(second!);
    expect(table.has(second!)).toBe(false);
    expect(read).not.toHaveBeenCalled();
  });

  it('decodes generated apps when the base is made if one breaks a media limit, so the switch is refused', () => {
    const scenario = validateScenarioDocument(MIXED, 'limits', { seed: 81 });
    expect(() => world(scenario, { limits: { maxMediaFilesPerApp: 1 } })).toThrow(expect.objectContaining({ status: 400, entries: [expect.objectContaining({ code: 'INVALID_SCENARIO', source: { pointer: expect.stringMatching(/^\/apps\/1\/media\//) } })] }));
    expect(world(scenario, { limits: { maxMediaFilesPerApp: 2 } }).listApps()).toHaveLength(601);
  });
});
