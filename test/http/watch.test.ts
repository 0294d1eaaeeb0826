/**
 * --watch (the in-process `watch` option): an edit of a scenario file rebuilds every namespace
 * running it; a broken edit keeps the last good world and shows in GET /__control/scenarios;
 * editors' bursts of writes are debounced into one reload. Waits on the watcher's 'reload'
 * events, never on sleeps.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioReload } from '../../src/control/scenario-watch';
import { startEngineDouble, type EngineDouble } from '../../src/index';

const APP_ID = '0b9d3c1e-1111-4a2b-8c3d-4e5f6a7b8c9d';

const shop = (name: string, condition = 'healthy') => `name: shop\ncondition: ${condition}\napps:\n  - attributes: { id: ${APP_ID}, name: ${name} }\n`;

let dir: string;
let file: string;
let engine: EngineDouble;

function nextReload(): Promise<ScenarioReload> {
  return once(engine.runtime.scenarioWatch!, 'reload').then(([report]) => report as ScenarioReload);
}

async function appName(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${engine.url}/v1/apps/${APP_ID}`, { headers });
  return ((await res.json()) as { attributes: { name: string } }).attributes.name;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-watch-'));
  file = path.join(dir, 'shop.yaml');
  fs.writeFileSync(file, shop('Before'));
  engine = await startEngineDouble({ scenario: 'shop', scenariosDir: dir, watch: { debounceMs: 50 }, log: () => undefined });
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('watch', () => {
  it('rebuilds every namespace running the edited scenario', async () => {
    const worker = engine.namespace('watch-worker');
    expect(await appName(worker.headers)).toBe('Before');
    const reloaded = nextReload();
    fs.writeFileSync(file, shop('After'));
    const report = await reloaded;
    expect(report).toMatchObject({ scenario: 'shop', ok: true, problems: [] });
    expect(report.rebuilt.sort()).toEqual(['', 'watch-worker']);
    expect(await appName()).toBe('After');
    expect(await appName(worker.headers)).toBe('After');
  });

  it('keeps the last good world on a broken edit, says so in GET /__control/scenarios, and recovers on a good edit', async () => {
    let reloaded = nextReload();
    fs.writeFileSync(file, shop('Good'));
    await reloaded;
    reloaded = nextReload();
    fs.writeFileSync(file, shop('Broken', 'sideways'));
    const broken = await reloaded;
    expect(broken.ok).toBe(false);
    expect(broken.problems[0]!.detail).toMatch(/condition/);
    expect(await appName()).toBe('Good');
    const catalog = await engine.scenarios();
    expect(catalog.watch?.broken).toEqual([expect.objectContaining({ scenario: 'shop', ok: false })]);

    reloaded = nextReload();
    fs.writeFileSync(file, 'name: shop\napps: [\n'); // not even YAML: the list still answers
    expect((await reloaded).problems[0]!.meta).toMatchObject({ rule: 'yaml' });
    const listed = await engine.scenarios();
    expect(listed.scenarios.map((s) => s.name)).not.toContain('shop');
    expect(listed.watch?.broken).toHaveLength(1);

    reloaded = nextReload();
    fs.writeFileSync(file, shop('Fixed'));
    expect((await reloaded).ok).toBe(true);
    expect(await appName()).toBe('Fixed');
    expect((await engine.scenarios()).watch).toEqual({ broken: [] });
  });

  it('debounces a burst of writes to one file into one reload', async () => {
    const reports: ScenarioReload[] = [];
    const watch = engine.runtime.scenarioWatch!;
    const collect = (report: ScenarioReload) => reports.push(report);
    watch.on('reload', collect);
    try {
      const burstDone = nextReload();
      // An editor's save: truncate, then write in pieces, synchronously, well within the debounce.
      const text = shop('Burst');
      fs.writeFileSync(file, '');
      fs.appendFileSync(file, text.slice(0, 10));
      fs.appendFileSync(file, text.slice(10));
      await burstDone;
      // A later, separate edit: its reload follows the burst's; had the burst given several, they would come first.
      const next = nextReload();
      fs.writeFileSync(path.join(dir, 'other.yaml'), 'name: other\n');
      await next;
      expect(reports.map((r) => r.scenario)).toEqual(['shop', 'other']);
      expect(reports[0]!.ok).toBe(true);
      expect(await appName()).toBe('Burst');
    } finally {
      watch.off('reload', collect);
    }
  });

  it('answers /health while a reload builds, and leaves a namespace switched meanwhile with its switch', async () => {
    const big = (description: string) => `name: big\ndescription: ${description}\ngenerate: { apps: { count: 1000, withDataModel: true } }\n`;
    fs.writeFileSync(path.join(dir, 'big.yaml'), big('first'));
    for (const name of ['big-a', 'big-b']) await engine.namespace(name).useScenario('big');
    const namespaces = engine.runtime.namespaces;
    const replace = namespaces.replaceInSlices.bind(namespaces);
    const order: string[] = [];
    let switched: Promise<unknown> | undefined;
    // When the reload starts building (it takes its tickets first), /health is asked and big-b switched.
    const spy = jest.spyOn(namespaces, 'replaceInSlices').mockImplementation((replacements) => {
      const building = replace(replacements);
      if (switched === undefined) {
        switched = Promise.all([
          fetch(`${engine.url}/health`).then((res) => order.push(`health ${res.status}`)),
          engine.namespace('big-b').useScenario('empty'),
        ]);
      }
      return building;
    });
    try {
      const reloaded = nextReload().then((report) => {
        order.push('reload');
        return report;
      });
      fs.writeFileSync(path.join(dir, 'big.yaml'), big('second'));
      const report = await reloaded;
      await switched;
      expect(order).toEqual(['health 200', 'reload']);
      expect(report).toMatchObject({ scenario: 'big', ok: true, rebuilt: ['big-a'] });
      expect((await engine.namespace('big-a').scenarios()).current).toMatchObject({ name: 'big', description: 'second' });
      expect((await engine.namespace('big-b').scenarios()).current.name).toBe('empty');
    } finally {
      spy.mockRestore();
    }
  });
});
