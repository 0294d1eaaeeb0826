import { expectDoubleError, newWorld, START } from './helpers';

function appDocument(document: unknown): Buffer {
  return Buffer.from(JSON.stringify(document));
}

describe('importApp', () => {
  test('empty bytes are invalidImport (400)', () => {
    const { model } = newWorld();
    const error = expectDoubleError(() => model.importApp(Buffer.alloc(0), {}, 'alice'), 'invalidImport');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/empty/);
    expect(model.listApps()).toHaveLength(0);
  });

  test('qvf bytes in NEW mode give an app with generated attributes and the byte count', () => {
    const { model } = newWorld();
    const qvf = Buffer.from([0x00, 0x51, 0x56, 0x46, 0xff, 0x7b]);
    const named = model.importApp(qvf, { name: 'From file' }, 'alice');
    expect(named.attributes).toMatchObject({ id: 'app-1', name: 'From file', owner: 'alice', published: false, createdDate: '', modifiedDate: '', lastReloadTime: START });
    expect(named.importedFileBytes).toBe(6);
    expect(model.importApp(qvf, { mode: 'NEW' }, 'alice').attributes.name).toBe('');
    expect(model.importApp(qvf, { name: '' }, 'alice').attributes.name).toBe('');
  });

  test('JSON that is not an app document is treated as opaque bytes', () => {
    const { model } = newWorld();
    expect(model.importApp(Buffer.from('{"not": "an app"}'), {}, 'alice').importedFileBytes).toBe(17);
    expect(model.importApp(Buffer.from('[1,2]'), {}, 'alice').attributes.name).toBe('');
  });

  test('an app document in NEW mode brings its attributes, media and data model under a new id', () => {
    const { model } = newWorld();
    model.createApp({ name: 'existing' }, 'alice');
    const imported = model.importApp(
      appDocument({
        attributes: { id: 'app-1', name: 'Doc', description: 'from doc', owner: 'someone', published: true, publishTime: 'x', custom: { k: 1 } },
        media: { 'img/a.png': { base64: Buffer.from([1, 2, 3]).toString('base64') }, 'empty/': null },
        dataModel: { static_byte_size: 7 },
        publishedStream: 's',
      }),
      { mode: 'NEW', name: 'Renamed' },
      'bob',
    );
    expect(imported.attributes).toMatchObject({ id: 'app-2', name: 'Renamed', description: 'from doc', owner: 'bob', published: false, publishTime: '', custom: { k: 1 } });
    expect(imported.publishedStream).toBeUndefined();
    expect(model.getApp('app-1').attributes.name).toBe('existing');
    expect([...model.getMediaFile('app-2', 'img/a.png').bytes]).toEqual([1, 2, 3]);
    expect(model.listMedia('app-2', '', 'a')).toEqual(['empty/', 'img/a.png']);
    expect(model.getDataModel('app-2').static_byte_size).toBe(7);
  });

  test('AUTOREPLACE replaces the app with the document id and keeps its attributes', () => {
    const { model, advance, now } = newWorld();
    const { id } = model.createApp({ name: 'Old' }, 'alice').attributes;
    model.putMediaFile(id, 'old.png', Buffer.from('old'));
    advance(1000);
    const replaced = model.importApp(
      appDocument({ attributes: { id, name: 'New', description: 'nd', owner: 'carol' }, media: { 'new.png': { text: 'new' } } }),
      { mode: 'AUTOREPLACE' },
      'bob',
    );
    expect(replaced.attributes).toMatchObject({ id, name: 'New', description: 'nd', owner: 'carol', createdDate: START, modifiedDate: now() });
    expect(model.listApps()).toHaveLength(1);
    expect(model.listMedia(id, '', 'a')).toEqual(['new.png']);
  });

  test('AUTOREPLACE creates the app with the document id when absent; name overrides', () => {
    const { model } = newWorld();
    const created = model.importApp(appDocument({ attributes: { id: 'fixed-id' } }), { mode: 'AUTOREPLACE', name: 'Given' }, 'bob');
    expect(created.attributes).toMatchObject({ id: 'fixed-id', name: 'Given', owner: 'bob', published: false });
    expect(model.getApp('fixed-id').attributes.name).toBe('Given');
  });

  test('AUTOREPLACE without an extractable id is invalidImport and changes nothing', () => {
    const { model } = newWorld();
    expect(expectDoubleError(() => model.importApp(Buffer.from([1, 2, 3]), { mode: 'AUTOREPLACE' }, 'bob'), 'invalidImport').message).toMatch(
      /not a JSON app document/,
    );
    expect(expectDoubleError(() => model.importApp(appDocument({ attributes: { name: 'x' } }), { mode: 'AUTOREPLACE' }, 'bob'), 'invalidImport').message).toMatch(
      /no "id"/,
    );
    expect(model.listApps()).toHaveLength(0);
  });

  test('a malformed app document is invalidImport; oversized media is mediaLimit; nothing is added', () => {
    const { model } = newWorld({ limits: { maxMediaFileBytes: 2 } });
    expectDoubleError(() => model.importApp(appDocument({ attributes: {}, media: { '../x': { text: 'a' } } }), {}, 'bob'), 'invalidImport');
    expectDoubleError(() => model.importApp(appDocument({ attributes: { name: 5 } }), {}, 'bob'), 'invalidImport');
    expectDoubleError(() => model.importApp(appDocument({ attributes: {}, media: { 'a.txt': { text: 'abc' } } }), {}, 'bob'), 'mediaLimit');
    expect(model.listApps()).toHaveLength(0);
  });
});
