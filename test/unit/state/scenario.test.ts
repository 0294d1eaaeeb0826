import os from 'node:os';
import { EngineModel } from '../../../src/state/engine';
import type { ScenarioDocument } from '../../../src/scenarios/types';
import { expectDoubleError, testOptions } from './helpers';

const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const scenario: ScenarioDocument = {
  name: 'round trip',
  description: 'two apps and sessions',
  mode: 'stateful',
  condition: 'busy',
  apps: [
    {
      attributes: { id: 'a1', name: 'Sales', owner: 'alice', custom: { region: 'EU' }, extra: 'user defined' },
      media: {
        'images/logo.png': { base64: everyByte.toString('base64') },
        'notes/readme.txt': { text: 'héllo' },
        'archive/2019/': null,
      },
      dataModel: { static_byte_size: 100, reload_meta: { cpu_time_spent_ms: 42, hardware: { logical_cores: 1, total_memory: 2 } }, fields: [{ name: 'F', src_tables: ['T'] }], tables: [{ name: 'T', no_of_rows: 3 }] },
      publishedStream: 'Everyone',
    },
    { attributes: { name: 'No id' } },
  ],
  sessions: [
    { sessionid: 's1', userid: 'alice', appid: 'a1', state: 'active', ttl: 0 },
    { sessionid: 's2', userid: 'bob', appid: 'a1', state: 'active' },
    { sessionid: 's3', userid: 'alice', appid: 'gen-2', state: 'stalled' },
    { sessionid: 's4', userid: 'carol', appid: '', state: 'active' },
  ],
  generate: { apps: { count: 5 } },
};

describe('fromScenario', () => {
  test('loads apps, fills missing attributes and generates missing ids', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    expect(model.condition).toBe('busy');
    expect(model.listApps().map((app) => app.attributes.id)).toEqual(['a1', 'gen-2']);
    expect(model.getApp('a1').attributes).toMatchObject({ name: 'Sales', owner: 'alice', description: '', published: false, extra: 'user defined', _resourcetype: 'app' });
    expect(model.getApp('gen-2').attributes).toMatchObject({ name: 'No id', owner: '' });
    expect(model.getMediaFile('a1', 'images/logo.png').bytes.equals(everyByte)).toBe(true);
    expect(model.getMediaFile('a1', 'notes/readme.txt').bytes.toString('utf8')).toBe('héllo');
    expect(model.listMedia('a1', 'archive', 'a')).toEqual(['archive/2019/']);
    expect(model.getApp('a1').publishedStream).toBe('Everyone');
  });

  test('a generated id never takes an id a later app names', () => {
    const ids = ['named', 'generated'];
    const model = EngineModel.fromScenario(
      { name: 'x', apps: [{ attributes: { name: 'first' } }, { attributes: { id: 'named', name: 'second' } }] },
      { newId: () => ids.shift() ?? 'spare' },
    );
    expect(model.listApps().map((app) => [app.attributes.id, app.attributes.name])).toEqual([
      ['generated', 'first'],
      ['named', 'second'],
    ]);
  });

  test('defaults to a healthy, empty world', () => {
    const model = EngineModel.fromScenario({ name: 'empty' });
    expect(model.condition).toBe('healthy');
    expect(model.listApps()).toEqual([]);
    expect(model.listSessions()).toEqual([]);
    expect(model.toScenario()).toEqual({ name: 'empty', condition: 'healthy', apps: [], sessions: [] });
  });

  test('does not keep references to the document', () => {
    const doc: ScenarioDocument = structuredClone(scenario);
    const model = EngineModel.fromScenario(doc, testOptions());
    doc.apps![0]!.attributes.name = 'changed';
    (doc.apps![0]!.dataModel!.fields![0]!).name = 'changed';
    doc.sessions![0]!.userid = 'changed';
    expect(model.getApp('a1').attributes.name).toBe('Sales');
    expect(model.getDataModel('a1').fields?.[0]?.name).toBe('F');
    expect(model.listSessions()[0]?.userid).toBe('alice');
  });

  test.each<[string, ScenarioDocument, RegExp]>([
    ['duplicate ids', { name: 'x', apps: [{ attributes: { id: 'd' } }, { attributes: { id: 'd' } }] }, /already has the id "d"/],
    ['a traversing media key', { name: 'x', apps: [{ attributes: {}, media: { '../x.png': { text: 'a' } } }] }, /\.\./],
    ['a folder key with bytes', { name: 'x', apps: [{ attributes: {}, media: { 'dir/': { text: 'a' } } }] }, /empty folder's key ends in "\/"/],
    ['a file key with null', { name: 'x', apps: [{ attributes: {}, media: { 'file.png': null } }] }, /empty folder's key/],
    ['bad base64', { name: 'x', apps: [{ attributes: {}, media: { 'a.bin': { base64: '@@@' } } }] }, /not valid base64/],
    ['both text and base64', { name: 'x', apps: [{ attributes: {}, media: { 'a.bin': { text: 'a', base64: 'YQ==' } as never } }] }, /exactly one/],
    ['a file inside a file', { name: 'x', apps: [{ attributes: {}, media: { a: { text: 'a' }, 'a/b': { text: 'b' } } }] }, /is a file/],
    ['a wrongly typed attribute', { name: 'x', apps: [{ attributes: { published: 'yes' as never } }] }, /published must be a boolean/],
    ['an unknown condition', { name: 'x', condition: 'sleepy' as never }, /condition must be one of/],
  ])('refuses %s with invalidScenario', (_name, doc, detail) => {
    expect(expectDoubleError(() => EngineModel.fromScenario(doc), 'invalidScenario').message).toMatch(detail);
  });

  test('scenario media beyond the limits is invalidScenario with a pointer to the key', () => {
    const doc: ScenarioDocument = { name: 'x', apps: [{ attributes: {}, media: { 'big/a~b.bin': { text: 'abc' } } }] };
    const error = expectDoubleError(() => EngineModel.fromScenario(doc, { limits: { maxMediaFileBytes: 2 } }), 'invalidScenario');
    expect(error.entries[0]?.source).toEqual({ pointer: '/apps/0/media/big~1a~0b.bin' });
    expect(error.message).toMatch(/limit is 2/);
  });
});

describe('toScenario', () => {
  test('writes media as base64, empty folders as null, and drops generate and mode', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    const exported = model.toScenario();
    expect(exported.generate).toBeUndefined();
    expect(exported.mode).toBeUndefined();
    expect(exported.name).toBe('round trip');
    expect(exported.description).toBe('two apps and sessions');
    expect(exported.apps?.[0]?.media).toEqual({
      'archive/2019/': null,
      'images/logo.png': { base64: everyByte.toString('base64') },
      'notes/readme.txt': { base64: Buffer.from('héllo').toString('base64') },
    });
    expect(exported.apps?.[0]?.dataModel?.reload_meta?.hardware).toEqual({ logical_cores: 1, total_memory: 2 });
    expect(exported.apps?.[1]?.media).toBeUndefined();
    expect(exported.sessions).toEqual(scenario.sessions);
  });

  test('round trip: fromScenario(model.toScenario()) is an equal world', () => {
    const options = testOptions();
    const model = EngineModel.fromScenario(scenario, { ...options, newId: () => 'gen-2' });
    model.putMediaFile('a1', 'late/added.bin', everyByte);
    model.updateApp('gen-2', { description: 'edited' });
    const exported = model.toScenario();
    const again = EngineModel.fromScenario(exported, { ...testOptions(), newId: () => 'never-used' });
    expect(again.toScenario()).toEqual(exported);
    expect(again.listApps()).toEqual(model.listApps());
    expect(again.getMediaFile('a1', 'late/added.bin').bytes.equals(everyByte)).toBe(true);
    expect(again.listMedia('a1', '', 'a')).toEqual(model.listMedia('a1', '', 'a'));
    expect(again.getDataModel('a1')).toEqual(model.getDataModel('a1'));
    expect(again.usage()).toEqual(model.usage());
    expect(again.condition).toBe('busy');
  });
});

describe('getDataModel', () => {
  test("an app's own metadata, reporting this host's hardware", () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    const metadata = model.getDataModel('a1');
    expect(metadata.reload_meta).toEqual({ cpu_time_spent_ms: 42, hardware: { logical_cores: os.cpus().length, total_memory: os.totalmem() } });
    expect(metadata.static_byte_size).toBe(100);
    expect(metadata.tables).toEqual([{ name: 'T', no_of_rows: 3 }]);
  });

  test('the empty structure for an app without metadata', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    expect(model.getDataModel('gen-2')).toEqual({
      reload_meta: { cpu_time_spent_ms: 0, hardware: { logical_cores: os.cpus().length, total_memory: os.totalmem() } },
      static_byte_size: 0,
      fields: [],
      tables: [],
    });
  });

  test('returns a copy', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    model.getDataModel('a1').fields?.push({ name: 'injected' });
    expect(model.getDataModel('a1').fields).toEqual([{ name: 'F', src_tables: ['T'] }]);
  });
});

describe('sessions and usage', () => {
  test('usage counts sessions, users and open apps', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    expect(model.usage()).toEqual({
      activeDocs: ['a1'],
      loadedDocs: ['a1', 'gen-2'],
      inMemoryDocs: ['a1', 'gen-2'],
      sessionActive: 3,
      sessionTotal: 4,
      usersActive: 3,
      usersTotal: 3,
      selections: 0,
      cache: { hits: 0, lookups: 0, added: 0, replaced: 0, bytes_added: 0 },
    });
  });

  test('listSessions returns copies', () => {
    const model = EngineModel.fromScenario(scenario, { ...testOptions(), newId: () => 'gen-2' });
    const sessions = model.listSessions();
    sessions[0]!.state = 'stalled';
    sessions.pop();
    expect(model.listSessions()).toEqual(scenario.sessions);
  });
});

describe('figures', () => {
  test('a scenario sets where the selection and cache counters start, and the world exports them', () => {
    const model = EngineModel.fromScenario({ name: 'counted', figures: { selections: 7, cache: { hits: 2, lookups: 3 } } }, testOptions());
    expect(model.usage()).toMatchObject({ selections: 7, cache: { hits: 2, lookups: 3, added: 0, replaced: 0, bytes_added: 0 } });
    expect(model.toScenario().figures).toEqual({ selections: 7, cache: { hits: 2, lookups: 3, added: 0, replaced: 0, bytesAdded: 0 } });
    expect(EngineModel.fromScenario({ name: 'plain' }, testOptions()).toScenario().figures).toBeUndefined();
  });

  test('a figure that is no whole number of at least 0 is refused with its pointer', () => {
    expect(() => EngineModel.fromScenario({ name: 'bad', figures: { selections: -1 } }, testOptions())).toThrow('/figures/selections must be a whole number');
    expect(() => EngineModel.fromScenario({ name: 'bad', figures: { cache: { hits: 1.5 } } }, testOptions())).toThrow('/figures/cache/hits');
  });
});
