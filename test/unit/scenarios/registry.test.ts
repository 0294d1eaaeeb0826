import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DoubleError, ErrorTemplates, type ErrorKind } from '../../../src/errors';
import { BUILT_IN_SCENARIOS_DIR, listScenarios, loadScenario, scanScenarios, validateScenariosDir } from '../../../src/scenarios/registry';
import { scenarioProblems } from '../../../src/scenarios/validate';
import { EngineModel } from '../../../src/state/engine';

const SHIPPED = ['busy', 'default', 'empty', 'large', 'media-tree', 'spec-examples', 'unhealthy'];

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenarios-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

function refusal(action: () => unknown, kind: ErrorKind): DoubleError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DoubleError);
    expect((error as DoubleError).entries[0]?.code).toBe(ErrorTemplates[kind].code);
    return error as DoubleError;
  }
  throw new Error(`expected a ${kind} refusal`);
}

describe('the shipped scenarios', () => {
  it('include the seven the README promises, each listed with its file and description', () => {
    const listed = listScenarios();
    expect(listed.map((s) => s.name)).toEqual(expect.arrayContaining(SHIPPED));
    for (const scenario of listed) {
      expect(scenario.file).toBe(`scenarios/${scenario.name}.yaml`);
      expect(scenario.source).toBe('shipped');
      expect(scenario.description?.length).toBeGreaterThan(20);
    }
  });

  it.each(SHIPPED)('%s loads, validates and builds an engine model', (name) => {
    const doc = loadScenario(name);
    expect(doc.name).toBe(name);
    expect(scenarioProblems(doc, name)).toEqual([]);
    expect(() => EngineModel.fromScenario(doc)).not.toThrow();
  });

  it('default has three apps: a media tree with the thumbnail file, a published one, a data model; one stalled session', () => {
    const model = EngineModel.fromScenario(loadScenario('default'));
    const apps = model.listApps();
    expect(apps.map((app) => app.attributes.name)).toEqual(['Sales Overview', 'Customer Churn', 'Inventory Planning']);
    const [sales, churn, inventory] = apps.map((app) => app.attributes.id);
    expect(model.getThumbnail(sales!).bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(model.listMedia(sales!, '', 'r')).toEqual(['docs/readme.txt', 'images/logo.png', 'thumbnails/sales-overview.png']);
    expect(model.getApp(churn!)).toMatchObject({ attributes: { published: true }, publishedStream: 'aaec8d41-5201-43ab-809f-3063750dfafd' });
    expect(model.getDataModel(inventory!).tables?.map((t) => t.name)).toEqual(['StockLevels', 'Products', 'Warehouses']);
    expect(model.listSessions().map((s) => s.state)).toEqual(['active', 'stalled']);
  });

  it('media-tree holds nested folders, empty folders and binary files as its description lists', () => {
    const doc = loadScenario('media-tree');
    const model = EngineModel.fromScenario(doc);
    const [library, empty] = model.listApps().map((app) => app.attributes.id);
    const listing = model.listMedia(library!, '', 'a');
    expect(listing).toEqual([
      '100%.txt',
      'archive/2019/',
      'archive/2020/q1/',
      'data/all-bytes.bin',
      'docs/guides/café.txt',
      'docs/guides/getting started.md',
      'docs/readme.txt',
      'images/charts/bar-chart.png',
      'images/charts/drafts/',
      'images/logo.png',
    ]);
    expect(doc.description?.replace(/\s+/g, ' ')).toContain(listing.join(', '));
    expect(model.getMediaFile(library!, 'data/all-bytes.bin').bytes).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    expect(model.getThumbnail(library!).bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(model.listMedia(empty!, '', 'r')).toEqual([]);
  });

  it('busy, unhealthy and spec-examples set what their names say', () => {
    expect(loadScenario('busy').condition).toBe('busy');
    expect(loadScenario('unhealthy').condition).toBe('unhealthy');
    expect(loadScenario('spec-examples')).toMatchObject({ mode: 'spec-examples', examples: 'static' });
  });
});

describe('a user scenarios folder', () => {
  it('adds its scenarios and wins over a shipped one of the same name', () => {
    write('busy.yaml', 'name: busy\ndescription: my own busy engine\ncondition: busy\napps: []\n');
    write('mine.json', '{"name": "mine", "description": "from JSON"}');
    const listed = listScenarios({ scenariosDir: dir });
    expect(listed.find((s) => s.name === 'busy')).toEqual({ name: 'busy', description: 'my own busy engine', file: path.join(dir, 'busy.yaml'), source: 'user' });
    expect(listed.find((s) => s.name === 'mine')).toMatchObject({ description: 'from JSON', source: 'user' });
    expect(loadScenario('busy', { scenariosDir: dir }).apps).toEqual([]);
    expect(loadScenario('default', { scenariosDir: dir }).apps).toHaveLength(3);
  });

  it('refuses a scenario whose name is not its file name', () => {
    const file = write('mine.yaml', 'name: yours\n');
    const expected = `${file}#/name is "yours" but the file holds the scenario "mine": name and file name must match (fileName)`;
    expect(refusal(() => loadScenario('mine', { scenariosDir: dir }), 'invalidScenario').entries.map((e) => e.detail)).toEqual([expected]);
    const { listings, problems } = scanScenarios({ scenariosDir: dir });
    expect(listings.map((s) => s.name)).not.toContain('mine');
    expect(problems.map((p) => p.detail)).toEqual([expected]);
  });

  it('lists the good files of a folder that also holds one it cannot parse, and names the bad one', () => {
    write('good.yaml', 'name: good\ndescription: fine\n');
    const bad = write('bad.json', '{"name": "bad",');
    const { listings, problems } = scanScenarios({ scenariosDir: dir });
    expect(listings.find((s) => s.name === 'good')).toMatchObject({ description: 'fine', source: 'user' });
    expect(listings.map((s) => s.name)).not.toContain('bad');
    expect(listScenarios({ scenariosDir: dir })).toEqual(listings);
    expect(problems.map((p) => p.detail)).toEqual([expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+ .+ \\(json\\)$`))]);
    expect(refusal(() => loadScenario('bad', { scenariosDir: dir }), 'invalidScenario').entries[0]!.detail).toBe(problems[0]!.detail);
  });

  it('refuses a broken fixture at load with file, pointer and rule', () => {
    const file = write('bad.yaml', 'name: bad\napps:\n  - attributes:\n      published: "yes"\n');
    const { entries } = refusal(() => loadScenario('bad', { scenariosDir: dir }), 'invalidScenario');
    expect(entries).toEqual([
      {
        code: 'INVALID_SCENARIO',
        title: ErrorTemplates.invalidScenario.title,
        status: '400',
        detail: `${file}#/apps/0/attributes/published must be boolean (type)`,
        source: { pointer: '/apps/0/attributes/published' },
        meta: { file, rule: 'type', definition: 'NxAttributes' },
      },
    ]);
  });

  it('refuses YAML it cannot parse with file:line:column', () => {
    const file = write('broken.yaml', 'name: broken\napps:\n  - attributes: {name: "a"\n  - attributes: {}\n');
    const [first] = refusal(() => loadScenario('broken', { scenariosDir: dir }), 'invalidScenario').entries;
    expect(first?.detail).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+ .+ \\(yaml\\)$`));
    expect(first?.meta).toMatchObject({ file, rule: 'yaml', line: 4 });
  });

  it('refuses duplicate keys, in JSON files too, with their line', () => {
    const file = write('twice.json', '{\n  "name": "twice",\n  "name": "again"\n}\n');
    const [first] = refusal(() => loadScenario('twice', { scenariosDir: dir }), 'invalidScenario').entries;
    expect(first?.detail).toBe(`${file}:3:3 duplicate key: a key may appear once in an object (json)`);
  });

  it('names every duplicate key of a JSON file, nested ones too, and lets sibling objects share keys', () => {
    const file = write('nested.json', '{\n  "name": "nested",\n  "apps": [{"id": "a"}, {"id": "b",\n    "attributes": {"x": 1, "x": 2}}],\n  "apps": []\n}\n');
    const entries = refusal(() => loadScenario('nested', { scenariosDir: dir }), 'invalidScenario').entries;
    expect(entries.map((entry) => entry.detail)).toEqual([
      `${file}:4:28 duplicate key: a key may appear once in an object (json)`,
      `${file}:5:3 duplicate key: a key may appear once in an object (json)`,
    ]);
    expect(entries[0]?.meta).toEqual({ file, rule: 'json', code: 'DUPLICATE_KEY', line: 4, column: 28 });
  });

  it("refuses JSON it cannot parse in JSON's words, with file:line:column", () => {
    const file = write('broken.json', '{\n  "name": "broken",\n  "apps": [}\n');
    const [first] = refusal(() => loadScenario('broken', { scenariosDir: dir }), 'invalidScenario').entries;
    expect(first?.detail).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:12 Unexpected token .+ \\(json\\)$`));
    expect(first?.detail).not.toMatch(/yaml|flow/i);
    expect(first?.meta).toMatchObject({ file, rule: 'json', line: 3, column: 12 });
  });

  it('refuses two files that hold one name', () => {
    write('twin.json', '{"name": "twin"}');
    write('twin.yaml', 'name: twin\n');
    const [first] = refusal(() => listScenarios({ scenariosDir: dir }), 'invalidScenario').entries;
    expect(first?.detail).toBe(`${path.join(dir, 'twin.json')} and ${path.join(dir, 'twin.yaml')} both hold a scenario named 'twin'; keep one`);
  });

  it('that does not exist is refused with its path, not a crash', () => {
    const missing = path.join(dir, 'nowhere');
    const [first] = refusal(() => loadScenario('default', { scenariosDir: missing }), 'invalidScenario').entries;
    expect(first?.detail).toBe(`the scenarios folder ${missing} cannot be read (ENOENT)`);
  });

  it('counts as absent when given as the empty string', () => {
    expect(loadScenario('empty', { scenariosDir: '' }).name).toBe('empty');
  });
});

describe('loadScenario', () => {
  it('answers an unknown name with SCENARIO_NOT_FOUND and the known names', () => {
    const known = listScenarios().map((s) => s.name);
    const error = refusal(() => loadScenario('nope'), 'scenarioNotFound');
    expect(error.status).toBe(404);
    expect(error.entries[0]?.detail).toBe(`no scenario named 'nope'; known: ${known.join(', ')}`);
    expect(error.entries[0]?.meta).toEqual({ known });
  });
});

describe('validateScenariosDir', () => {
  it('returns every problem of every file, and none for a folder of good ones', () => {
    write('good.yaml', 'name: good\n');
    expect(validateScenariosDir(dir)).toEqual([]);
    write('misnamed.yaml', 'name: other\n');
    write('typo.yaml', 'name: typo\ncondtion: busy\n');
    write('unparsable.json', '{"name": ');
    write('README.md', 'not a scenario');
    const details = validateScenariosDir(dir).map((p) => p.detail);
    expect(details).toHaveLength(3);
    expect(details[0]).toBe(`${path.join(dir, 'misnamed.yaml')}#/name is "other" but the file holds the scenario "misnamed": name and file name must match (fileName)`);
    expect(details[1]).toBe(`${path.join(dir, 'typo.yaml')}#/condtion is not a property this object may have (additionalProperties)`);
    expect(details[2]).toMatch(/unparsable\.json:1:\d+ Unexpected end of JSON input \(json\)$/);
  });

  it('reports a folder it cannot read', () => {
    expect(validateScenariosDir(path.join(dir, 'missing')).map((p) => p.detail)).toEqual([`the scenarios folder ${path.join(dir, 'missing')} cannot be read (ENOENT)`]);
  });

  it('finds no problem in the shipped scenarios', () => {
    expect(validateScenariosDir(BUILT_IN_SCENARIOS_DIR)).toEqual([]);
  });
});
