import { DEFAULT_SEED, eachGeneratedApp, expandGenerators, expandGeneratorsInWorker } from '../../../src/scenarios/generate';
import { loadScenario } from '../../../src/scenarios/registry';
import type { AppGenerator, ScenarioApp } from '../../../src/scenarios/types';
import { loadContract } from '../../../src/spec/contract';

/** Counts how often this test file's module registry loads faker (the factory runs once per load). */
const mockFakerLoads = { count: 0 };
jest.mock('@faker-js/faker', () => {
  mockFakerLoads.count += 1;
  return jest.requireActual('@faker-js/faker');
});

const generateApps = (generator: AppGenerator, seed: number): ScenarioApp[] => [...eachGeneratedApp(generator, seed)];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function json(apps: ScenarioApp[]): string {
  return JSON.stringify(apps);
}

// First in this file, before anything here has loaded faker: the mock factory runs on the first load.
describe('faker', () => {
  it('is loaded by a scenario with generators only', () => {
    loadScenario('default');
    loadScenario('media-tree');
    expandGenerators({ name: 'plain', apps: [{ attributes: {} }] });
    expect(mockFakerLoads.count).toBe(0);
    generateApps({ count: 1 }, 1);
    expect(mockFakerLoads.count).toBe(1);
  });
});

describe('generateApps', () => {
  it('gives the same apps, byte for byte, for the same seed, whatever ran in between', () => {
    const first = json(generateApps({ count: 30, withDataModel: true, mediaFilesPerApp: 2 }, 11));
    generateApps({ count: 5 }, 12);
    const globalFaker = jest.requireActual<typeof import('@faker-js/faker')>('@faker-js/faker').faker;
    globalFaker.seed(99);
    globalFaker.person.fullName();
    expect(json(generateApps({ count: 30, withDataModel: true, mediaFilesPerApp: 2 }, 11))).toBe(first);
  });

  it('gives different apps for a different seed', () => {
    expect(json(generateApps({ count: 30 }, 1))).not.toBe(json(generateApps({ count: 30 }, 2)));
  });

  it('reads no clock: the apps are the same at any wall-clock time', () => {
    const now = json(generateApps({ count: 20, withDataModel: true }, 5));
    jest.useFakeTimers({ now: new Date('2031-07-04T00:00:00.000Z') });
    try {
      expect(json(generateApps({ count: 20, withDataModel: true }, 5))).toBe(now);
    } finally {
      jest.useRealTimers();
    }
  });

  it('makes apps with GUID ids, realistic attributes and dates in order, that NxAttributes accepts', () => {
    const validate = loadContract().definitionValidator('NxAttributes');
    const apps = generateApps({ count: 200 }, 3);
    expect(new Set(apps.map((app) => app.attributes.id)).size).toBe(200);
    for (const { attributes, publishedStream } of apps) {
      expect(validate(attributes)).toBe(true);
      expect(attributes.id).toMatch(GUID);
      expect(attributes.name).toMatch(/^[A-Z][A-Za-z ]+ (Analysis|Dashboard|Overview|KPIs|Report|Explorer|Forecast|Deep Dive)$/);
      expect(attributes.description).toMatch(/ of .+ for .+\.$/);
      expect(attributes.owner).toMatch(/^Personal\\\S+$/);
      expect(Date.parse(attributes.createdDate!)).toBeLessThanOrEqual(Date.parse(attributes.modifiedDate!));
      expect(attributes.lastReloadTime).toBe('');
      if (attributes.published) {
        expect(Date.parse(attributes.publishTime!)).toBeGreaterThanOrEqual(Date.parse(attributes.modifiedDate!));
        expect(publishedStream).toMatch(GUID);
      } else {
        expect(attributes.publishTime).toBe('');
        expect(publishedStream).toBeUndefined();
      }
    }
    expect(apps.filter((app) => app.attributes.published).length).toBeGreaterThan(10);
  });

  it('makes data models whose tables, keys and figures agree', () => {
    const validate = loadContract().definitionValidator('DataModelMetadata');
    for (const { dataModel, attributes } of generateApps({ count: 100, withDataModel: true }, 8)) {
      expect(validate(dataModel)).toBe(true);
      const tables = dataModel!.tables!;
      const fields = dataModel!.fields!;
      expect(tables.length).toBeGreaterThanOrEqual(2);
      expect(tables.length).toBeLessThanOrEqual(6);
      expect(Date.parse(attributes.lastReloadTime!)).toBeLessThanOrEqual(Date.parse(attributes.modifiedDate!));
      for (const table of tables) {
        const own = fields.filter((f) => f.src_tables!.includes(table.name!));
        expect(table.no_of_fields).toBe(own.length);
        expect(table.no_of_key_fields).toBe(own.filter((f) => f.src_tables!.length > 1).length);
      }
      for (const field of fields) {
        const rows = field.src_tables!.map((name) => tables.find((t) => t.name === name)!.no_of_rows!);
        expect(field.total_count).toBe(rows.reduce((a, b) => a + b, 0));
        expect(field.cardinal).toBeGreaterThanOrEqual(1);
        expect(field.cardinal).toBeLessThanOrEqual(field.total_count!);
        expect(field.tags!.includes('$key')).toBe(field.src_tables!.length > 1);
      }
      const bytes = [...fields, ...tables].reduce((sum, item) => sum + item.byte_size!, 0);
      expect(dataModel!.static_byte_size).toBe(bytes);
    }
  });

  it('puts mediaFilesPerApp text files in each app, under valid media paths', () => {
    const [app] = generateApps({ count: 1, mediaFilesPerApp: 4 }, 4);
    expect(Object.keys(app!.media!)).toEqual([
      expect.stringMatching(/^notes\/1-\S+\.txt$/),
      expect.stringMatching(/^exports\/2-\S+\.csv$/),
      expect.stringMatching(/^config\/3-\S+\.json$/),
      expect.stringMatching(/^notes\/4-\S+\.txt$/),
    ]);
  });
});

describe('expandGenerators', () => {
  it('appends generated apps to the fixture own, records the seed and drops generate', () => {
    const doc = expandGenerators({ name: 'mixed', apps: [{ attributes: { name: 'Mine' } }], generate: { apps: { count: 2 } } });
    expect(doc.generate).toBeUndefined();
    expect(doc.seed).toBe(DEFAULT_SEED);
    expect(doc.apps?.map((app) => app.attributes.name)).toEqual(['Mine', expect.any(String), expect.any(String)]);
  });

  it('takes the seed argument over the document one, and sets none where nothing is generated', () => {
    expect(expandGenerators({ name: 'g', seed: 1, generate: { apps: { count: 1 } } }, 2).seed).toBe(2);
    expect(expandGenerators({ name: 'plain' })).toEqual({ name: 'plain' });
    expect(expandGenerators({ name: 'dyn', mode: 'spec-examples', examples: 'dynamic' }).seed).toBe(DEFAULT_SEED);
  });

  it('copies a large document own apps in slices off the worker path, at once on this thread, the same either way', async () => {
    const apps: ScenarioApp[] = Array.from({ length: 20_000 }, (_, n) => ({ attributes: { id: `app-${n}`, name: `App ${n}`, description: 'd'.repeat(64), custom: { tags: ['a', 'b'], n } } }));
    let turns = 0;
    const counting = setInterval(() => (turns += 1), 0);
    const beforeCopy = turns;
    // Copied in one piece, the document would be ready before the event loop's next turn.
    const doc = await expandGeneratorsInWorker({ name: 'big', apps });
    clearInterval(counting);
    expect(turns).toBeGreaterThan(beforeCopy);
    expect(JSON.stringify(doc.apps)).toBe(JSON.stringify(apps));
    expect(doc.apps?.[0]).not.toBe(apps[0]);
    expect(doc.apps?.[0]?.attributes.custom).not.toBe(apps[0]?.attributes.custom);
    expect(JSON.stringify(expandGenerators({ name: 'big', apps }))).toBe(JSON.stringify(doc));
  });
});

describe('the large scenario', () => {
  let large: ReturnType<typeof loadScenario>;
  beforeAll(() => {
    large = loadScenario('large');
  });

  it('holds 5,000 apps with data models and distinct GUIDs', () => {
    expect(large.apps).toHaveLength(5000);
    expect(new Set(large.apps!.map((app) => app.attributes.id)).size).toBe(5000);
    expect(large.apps!.every((app) => GUID.test(app.attributes.id!) && app.dataModel !== undefined)).toBe(true);
  });

  it('is the same world byte for byte for the same seed, and another for another seed', () => {
    expect(JSON.stringify(loadScenario('large'))).toBe(JSON.stringify(large));
    const seven = loadScenario('large', { seed: 7 });
    expect(seven.seed).toBe(7);
    expect(JSON.stringify(seven.apps)).not.toBe(JSON.stringify(large.apps));
  });
});
