import { CREATABLE_RESOURCES, toNxApp } from '../../../src/state/apps';
import { EngineModel } from '../../../src/state/engine';
import { START, expectDoubleError, newWorld } from './helpers';

describe('createApp', () => {
  test('fills every attribute of a fresh app', () => {
    const { model } = newWorld();
    const app = model.createApp({ name: 'Sales', description: 'Q1' }, 'alice');
    expect(app.attributes).toEqual({
      id: 'app-1',
      name: 'Sales',
      description: 'Q1',
      thumbnail: '',
      lastReloadTime: START,
      createdDate: START,
      modifiedDate: START,
      owner: 'alice',
      dynamicColor: '',
      published: false,
      publishTime: '',
      custom: {},
      _resourcetype: 'app',
    });
    expect(app.mediaFileCount).toBe(0);
    expect(app.hasDataModel).toBe(false);
  });

  test('names an app "Untitled" without a name, keeps an explicit empty one', () => {
    const { model } = newWorld();
    expect(model.createApp(undefined, 'alice').attributes.name).toBe('Untitled');
    expect(model.createApp({}, 'alice').attributes.description).toBe('');
    expect(model.createApp({ name: '' }, 'alice').attributes.name).toBe('');
  });

  test('uses crypto.randomUUID ids by default', () => {
    const model = new EngineModel();
    const { id } = model.createApp(undefined, 'alice').attributes;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.isNaN(Date.parse(model.getApp(id).attributes.createdDate ?? ''))).toBe(false);
  });

  test('skips ids that are already taken', () => {
    const ids = ['same', 'same', 'other'];
    const model = new EngineModel({ newId: () => ids.shift() ?? 'spare' });
    expect(model.createApp(undefined, 'a').attributes.id).toBe('same');
    expect(model.createApp(undefined, 'a').attributes.id).toBe('other');
  });

  test('returns copies: changing them changes nothing in the model', () => {
    const { model } = newWorld();
    const app = model.createApp({ name: 'A' }, 'alice');
    app.attributes.name = 'hacked';
    (app.attributes.custom as Record<string, unknown>).x = 1;
    expect(model.getApp(app.attributes.id).attributes.name).toBe('A');
    expect(model.getApp(app.attributes.id).attributes.custom).toEqual({});
  });
});

describe('getApp, listApps, deleteApp', () => {
  test('lists apps in creation order and forgets deleted ones with their media', () => {
    const { model } = newWorld();
    const a = model.createApp({ name: 'A' }, 'alice').attributes.id;
    const b = model.createApp({ name: 'B' }, 'bob').attributes.id;
    model.putMediaFile(a, 'x.png', Buffer.from('x'));
    expect(model.listApps().map((app) => app.attributes.name)).toEqual(['A', 'B']);
    model.deleteApp(a);
    expect(model.listApps().map((app) => app.attributes.id)).toEqual([b]);
    expect(model.hasApp(a)).toBe(false);
    expectDoubleError(() => model.getApp(a), 'appNotFound');
    expectDoubleError(() => model.getMediaFile(a, 'x.png'), 'appNotFound');
    expectDoubleError(() => model.deleteApp(a), 'appNotFound');
  });

  test('unknown ids are appNotFound everywhere', () => {
    const { model } = newWorld();
    for (const action of [
      () => model.getApp('ghost'),
      () => model.updateApp('ghost', { name: 'x' }),
      () => model.copyApp('ghost', undefined, 'alice'),
      () => model.publishApp('ghost'),
      () => model.unpublishApp('ghost'),
      () => model.getDataModel('ghost'),
      () => model.getThumbnail('ghost'),
    ]) {
      expect(expectDoubleError(action, 'appNotFound').entries[0]?.source).toEqual({ parameter: 'appId' });
    }
  });
});

describe('updateApp', () => {
  test('changes only the attributes sent and moves modifiedDate', () => {
    const { model, advance, now } = newWorld();
    const { id } = model.createApp({ name: 'A', description: 'first' }, 'alice').attributes;
    advance(60_000);
    const renamed = model.updateApp(id, { name: 'B' });
    expect(renamed.attributes.name).toBe('B');
    expect(renamed.attributes.description).toBe('first');
    expect(renamed.attributes.modifiedDate).toBe(now());
    expect(renamed.attributes.createdDate).toBe(START);
    advance(60_000);
    const described = model.updateApp(id, { description: '' });
    expect(described.attributes).toMatchObject({ name: 'B', description: '', modifiedDate: now(), owner: 'alice' });
  });

  test('ignores attributes beyond name and description', () => {
    const { model } = newWorld();
    const { id } = model.createApp({ name: 'A' }, 'alice').attributes;
    model.updateApp(id, { name: 'B', owner: 'mallory', published: true } as never);
    expect(model.getApp(id).attributes).toMatchObject({ name: 'B', owner: 'alice', published: false });
  });

  test('an update without attributes still moves modifiedDate', () => {
    const { model, advance, now } = newWorld();
    const { id } = model.createApp({ name: 'A' }, 'alice').attributes;
    advance(1000);
    expect(model.updateApp(id, undefined).attributes).toMatchObject({ name: 'A', modifiedDate: now() });
  });
});

describe('copyApp', () => {
  function sourceWorld() {
    const world = newWorld();
    const model = EngineModel.fromScenario(
      {
        name: 'copy',
        apps: [
          {
            attributes: { id: 'src', name: 'Source', description: 'd', owner: 'alice', published: true, publishTime: START, custom: { tags: ['x'] }, thumbnail: 'thumbs/t.png' },
            media: { 'thumbs/t.png': { text: 'T' }, 'empty/': null },
            dataModel: { static_byte_size: 10, fields: [{ name: 'F' }], tables: [] },
            publishedStream: 'everyone',
          },
        ],
      },
      { now: () => new Date('2024-06-01T00:00:00.000Z'), newId: () => 'copy-1' },
    );
    return { ...world, model };
  }

  test('a fresh, unpublished app owned by the copier with the source attributes overlaid by dstUpdate', () => {
    const { model } = sourceWorld();
    const copy = model.copyApp('src', { name: 'Copy' }, 'bob');
    expect(copy.attributes).toMatchObject({
      id: 'copy-1',
      name: 'Copy',
      description: 'd',
      owner: 'bob',
      published: false,
      publishTime: '',
      createdDate: '2024-06-01T00:00:00.000Z',
      modifiedDate: '2024-06-01T00:00:00.000Z',
      custom: { tags: ['x'] },
      thumbnail: 'thumbs/t.png',
    });
    expect(copy.publishedStream).toBeUndefined();
    expect(model.listMedia('copy-1', '', 'a')).toEqual(['empty/', 'thumbs/t.png']);
    expect(model.getDataModel('copy-1').fields).toEqual([{ name: 'F' }]);
    expect(model.getThumbnail('copy-1').bytes.toString()).toBe('T');
  });

  test('later writes to either app never show in the other', () => {
    const { model } = sourceWorld();
    model.copyApp('src', undefined, 'bob');
    model.putMediaFile('copy-1', 'thumbs/t.png', Buffer.from('changed in copy'));
    model.putMediaFile('copy-1', 'new.txt', Buffer.from('n'));
    model.deleteMedia('src', 'empty');
    model.updateApp('src', { name: 'Renamed source' });
    expect(model.getMediaFile('src', 'thumbs/t.png').bytes.toString()).toBe('T');
    expect(model.listMedia('src', '', 'a')).toEqual(['thumbs/t.png']);
    expect(model.listMedia('copy-1', '', 'a')).toEqual(['empty/', 'new.txt', 'thumbs/t.png']);
    expect(model.getApp('copy-1').attributes.name).toBe('Source');
    const exported = model.toScenario().apps ?? [];
    const [source, copy] = exported;
    (source?.attributes.custom as { tags: string[] }).tags.push('mutated export');
    expect(model.getApp('copy-1').attributes.custom).toEqual({ tags: ['x'] });
    expect(copy?.dataModel).not.toBe(source?.dataModel);
  });
});

describe('publishApp and unpublishApp', () => {
  test('publish sets published, publishTime and the stream; unpublish clears them', () => {
    const { model, advance, now } = newWorld();
    const { id } = model.createApp({ name: 'A' }, 'alice').attributes;
    advance(5000);
    const published = model.publishApp(id, 'Everyone');
    expect(published.attributes).toMatchObject({ published: true, publishTime: now(), modifiedDate: START });
    expect(published.publishedStream).toBe('Everyone');
    const unpublished = model.unpublishApp(id);
    expect(unpublished.attributes).toMatchObject({ published: false, publishTime: '' });
    expect(unpublished.publishedStream).toBeUndefined();
    expect(model.publishApp(id).publishedStream).toBeUndefined();
  });
});

describe('toNxApp', () => {
  test('derives create privileges from update or create', () => {
    const { model } = newWorld();
    const app = model.createApp({ name: 'A' }, 'alice');
    const editor = model.toNxApp(app, ['read', 'update']);
    expect(editor.privileges).toEqual(['read', 'update']);
    expect(editor.create).toEqual(CREATABLE_RESOURCES.map((resource) => ({ resource, canCreate: true })));
    expect(editor.create?.map((c) => c.resource)).toEqual(['"sheet"', '"bookmark"', '"story"', '"dimension"', '"measure"', '"masterobject"', '"folderconnection"', '"internetconnection"']);
    expect(toNxApp(app, ['create']).create?.every((c) => c.canCreate)).toBe(true);
    expect(toNxApp(app, ['read']).create?.some((c) => c.canCreate)).toBe(false);
  });

  test('returns deep copies', () => {
    const { model } = newWorld();
    const app = model.getApp(model.createApp({ name: 'A' }, 'alice').attributes.id);
    const privileges = ['read'];
    const nx = model.toNxApp(app, privileges);
    (nx.attributes?.custom as Record<string, unknown>).x = 1;
    nx.privileges?.push('delete');
    expect(app.attributes.custom).toEqual({});
    expect(privileges).toEqual(['read']);
  });
});
