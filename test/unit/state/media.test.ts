import { EngineModel } from '../../../src/state/engine';
import { mediaListMode, MediaTree } from '../../../src/state/media-tree';
import { contentTypeFor } from '../../../src/state/media-types';
import { DEFAULT_MEDIA_LIMITS } from '../../../src/state/options';
import { expectDoubleError, newWorld } from './helpers';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** images/logo.png, images/icons/a.svg, docs/readme.txt, root.txt; empty: empty/, docs/archive/2019/, images/icons/old/ */
function populatedWorld() {
  const world = newWorld();
  const { id } = world.model.createApp({ name: 'media' }, 'alice').attributes;
  for (const path of ['images/logo.png', 'images/icons/a.svg', 'docs/readme.txt', 'root.txt', 'empty/x', 'docs/archive/2019/x', 'images/icons/old/x']) {
    world.model.putMediaFile(id, path, bytes(path));
  }
  for (const path of ['empty/x', 'docs/archive/2019/x', 'images/icons/old/x']) world.model.deleteMedia(id, path);
  return { ...world, id };
}

describe('listMedia', () => {
  test('without show: files and empty folders of that folder only, relative to the media root', () => {
    const { model, id } = populatedWorld();
    expect(model.listMedia(id, '')).toEqual(['root.txt', 'empty/'].sort());
    expect(model.listMedia(id, 'images')).toEqual(['images/logo.png']);
    expect(model.listMedia(id, 'images/icons')).toEqual(['images/icons/a.svg', 'images/icons/old/']);
    expect(model.listMedia(id, 'docs/')).toEqual(['docs/readme.txt']);
    expect(model.listMedia(id, 'docs/archive')).toEqual(['docs/archive/2019/']);
  });

  test('an unknown show value is the default', () => {
    const { model, id } = populatedWorld();
    expect(model.listMedia(id, '', 'everything')).toEqual(model.listMedia(id, ''));
    expect(model.listMedia(id, '', 'R')).toEqual(['empty/', 'root.txt']);
  });

  test.each(['r', 'recursive'])('show=%s: recursive, files only', (show) => {
    const { model, id } = populatedWorld();
    expect(model.listMedia(id, '', show)).toEqual(['docs/readme.txt', 'images/icons/a.svg', 'images/logo.png', 'root.txt']);
    expect(model.listMedia(id, 'images', show)).toEqual(['images/icons/a.svg', 'images/logo.png']);
  });

  test.each(['a', 'all'])('show=%s: recursive, files and empty folders', (show) => {
    const { model, id } = populatedWorld();
    expect(model.listMedia(id, '', show)).toEqual([
      'docs/archive/2019/',
      'docs/readme.txt',
      'empty/',
      'images/icons/a.svg',
      'images/icons/old/',
      'images/logo.png',
      'root.txt',
    ]);
  });

  test('a missing folder or a file path is 404', () => {
    const { model, id } = populatedWorld();
    expectDoubleError(() => model.listMedia(id, 'nope'), 'mediaNotFound');
    expect(expectDoubleError(() => model.listMedia(id, 'root.txt'), 'mediaNotFound').message).toMatch(/is a file/);
  });

  test('an empty app lists nothing', () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    expect(model.listMedia(id, '', 'a')).toEqual([]);
  });

  test('mediaListMode reads show exactly as documented', () => {
    expect([undefined, '', 'r', 'recursive', 'a', 'all', 'x', 'ALL'].map(mediaListMode)).toEqual([
      'folder',
      'folder',
      'recursive',
      'recursive',
      'all',
      'all',
      'folder',
      'folder',
    ]);
  });
});

describe('media files', () => {
  test('all 256 byte values survive a write and a read', () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    model.putMediaFile(id, 'bin/all.bin', every);
    const read = model.getMediaFile(id, 'bin/all.bin');
    expect(read.bytes.equals(every)).toBe(true);
    expect(read.bytes).toHaveLength(256);
    expect(read.contentType).toBe('application/octet-stream');
  });

  test("a model's buffers cannot be changed through what it hands out: a file and a copied app's file", () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    model.putMediaFile(id, 'a.txt', bytes('original'));
    model.updateApp(id, {});
    const copyId = model.copyApp(id, undefined, 'bob').attributes.id;
    const handedOut = model.getMediaFile(id, 'a.txt').bytes;
    handedOut.fill(0x21);
    expect(model.getMediaFile(id, 'a.txt').bytes.toString()).toBe('original');
    expect(model.getMediaFile(copyId, 'a.txt').bytes.toString()).toBe('original');
    expect(model.getMediaFile(id, 'a.txt').bytes).not.toBe(model.getMediaFile(id, 'a.txt').bytes);
  });

  test("a file read from one world written into leaves the base and the other worlds over it as they were", () => {
    const doc = { name: 'shared', apps: [{ attributes: { id: 'a1', name: 'A', thumbnail: 't.png' }, media: { 't.png': { text: 'thumb' } } }] };
    const base = EngineModel.baseOf(doc);
    const one = EngineModel.over(base);
    const two = EngineModel.over(base);
    one.getMediaFile('a1', 't.png').bytes.fill(0x21);
    one.getThumbnail('a1').bytes.fill(0x21);
    for (const world of [one, two, EngineModel.over(base)]) expect(world.getMediaFile('a1', 't.png').bytes.toString()).toBe('thumb');
  });

  test('a write replaces the whole file and does not count it twice', () => {
    const { model } = newWorld({ limits: { maxMediaFilesPerApp: 1 } });
    const { id } = model.createApp(undefined, 'alice').attributes;
    model.putMediaFile(id, 'a.txt', bytes('a long first version'));
    model.putMediaFile(id, 'a.txt', bytes('v2'));
    expect(model.getMediaFile(id, 'a.txt').bytes.toString()).toBe('v2');
    expect(model.getApp(id).mediaFileCount).toBe(1);
  });

  test('percent-encoded names are stored decoded', () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    model.putMediaFile(id, 'my%20pics/100%25.png', bytes('x'));
    expect(model.listMedia(id, '', 'r')).toEqual(['my pics/100%.png']);
    expect(model.getMediaFile(id, 'my%20pics/100%25.png').contentType).toBe('image/png');
  });

  test('a file where a folder is needed, or a folder where a file is, is a 400 that changes nothing', () => {
    const { model, id } = populatedWorld();
    const before = model.listMedia(id, '', 'a');
    expect(expectDoubleError(() => model.putMediaFile(id, 'root.txt/child.png', bytes('x')), 'invalidMediaPath').message).toMatch(/"root.txt" is a file/);
    expect(expectDoubleError(() => model.putMediaFile(id, 'root.txt/deeper/child.png', bytes('x')), 'invalidMediaPath').message).toMatch(/"root.txt" is a file/);
    expect(expectDoubleError(() => model.putMediaFile(id, 'images', bytes('x')), 'invalidMediaPath').message).toMatch(/is a folder/);
    expect(model.listMedia(id, '', 'a')).toEqual(before);
  });

  test('a file needs a non-empty path', () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    expectDoubleError(() => model.putMediaFile(id, '', bytes('x')), 'invalidMediaPath');
    expectDoubleError(() => model.getMediaFile(id, ''), 'mediaNotFound');
  });

  test('traversal attempts are refused before anything is stored', () => {
    const { model } = newWorld();
    const { id } = model.createApp(undefined, 'alice').attributes;
    expectDoubleError(() => model.putMediaFile(id, 'a/%2e%2e/%2e%2e/escape.txt', bytes('x')), 'invalidMediaPath');
    expect(model.listMedia(id, '', 'a')).toEqual([]);
  });

  test('missing files and folders are 404 on read', () => {
    const { model, id } = populatedWorld();
    expectDoubleError(() => model.getMediaFile(id, 'nope.png'), 'mediaNotFound');
    expectDoubleError(() => model.getMediaFile(id, 'root.txt/x'), 'mediaNotFound');
    expect(expectDoubleError(() => model.getMediaFile(id, 'images'), 'mediaNotFound').message).toMatch(/is a folder/);
  });

  test('unknown app ids are appNotFound with the appId parameter as source', () => {
    const { model } = newWorld();
    const error = expectDoubleError(() => model.getMediaFile('ghost', 'a.png'), 'appNotFound');
    expect(error.entries[0]?.source).toEqual({ parameter: 'appId' });
    expectDoubleError(() => model.putMediaFile('ghost', 'a.png', bytes('x')), 'appNotFound');
    expectDoubleError(() => model.listMedia('ghost', ''), 'appNotFound');
    expectDoubleError(() => model.deleteMedia('ghost', 'a.png'), 'appNotFound');
  });
});

describe('deleteMedia', () => {
  test('deletes a file and keeps its folder', () => {
    const { model, id } = populatedWorld();
    model.deleteMedia(id, 'docs/readme.txt');
    expect(model.listMedia(id, 'docs', 'a')).toEqual(['docs/archive/2019/']);
    expect(model.getApp(id).mediaFileCount).toBe(3);
  });

  test('deletes a whole folder and uncounts its files', () => {
    const { model, id } = populatedWorld();
    model.deleteMedia(id, 'images');
    expect(model.listMedia(id, '', 'a')).toEqual(['docs/archive/2019/', 'docs/readme.txt', 'empty/', 'root.txt']);
    expect(model.getApp(id).mediaFileCount).toBe(2);
  });

  test('a missing path is 404, the root is 400', () => {
    const { model, id } = populatedWorld();
    expectDoubleError(() => model.deleteMedia(id, 'nope'), 'mediaNotFound');
    expectDoubleError(() => model.deleteMedia(id, 'root.txt/x'), 'mediaNotFound');
    expect(expectDoubleError(() => model.deleteMedia(id, ''), 'invalidMediaPath').message).toMatch(/root cannot be deleted/);
    expect(model.getApp(id).mediaFileCount).toBe(4);
  });
});

describe('media limits', () => {
  test('a file over maxMediaFileBytes is mediaLimit (413); one at the limit is stored', () => {
    const { model } = newWorld({ limits: { maxMediaFileBytes: 4 } });
    const { id } = model.createApp(undefined, 'alice').attributes;
    model.putMediaFile(id, 'ok.bin', Buffer.alloc(4));
    const error = expectDoubleError(() => model.putMediaFile(id, 'big.bin', Buffer.alloc(5)), 'mediaLimit');
    expect(error.status).toBe(413);
    expect(error.entries[0]?.meta).toEqual({ limit: 'maxMediaFileBytes', value: 4 });
    expect(model.listMedia(id, '')).toEqual(['ok.bin']);
  });

  test('more files than maxMediaFilesPerApp is mediaLimit (413), counted per app', () => {
    const { model } = newWorld({ limits: { maxMediaFilesPerApp: 2 } });
    const first = model.createApp(undefined, 'alice').attributes.id;
    const second = model.createApp(undefined, 'alice').attributes.id;
    model.putMediaFile(first, 'a', bytes('a'));
    model.putMediaFile(first, 'dir/b', bytes('b'));
    const error = expectDoubleError(() => model.putMediaFile(first, 'newdir/c', bytes('c')), 'mediaLimit');
    expect(error.entries[0]?.meta).toEqual({ limit: 'maxMediaFilesPerApp', value: 2 });
    // Refused before any folder was made.
    expect(model.listMedia(first, '', 'a')).toEqual(['a', 'dir/b']);
    model.putMediaFile(second, 'c', bytes('c'));
    model.deleteMedia(first, 'dir');
    model.putMediaFile(first, 'c', bytes('c'));
    expect(model.listMedia(first, '', 'r')).toEqual(['a', 'c']);
  });

  test('path limits come from the model options', () => {
    const { model } = newWorld({ limits: { maxMediaPathDepth: 2, maxMediaPathLength: 8 } });
    const { id } = model.createApp(undefined, 'alice').attributes;
    model.putMediaFile(id, 'a/b', bytes('x'));
    expectDoubleError(() => model.putMediaFile(id, 'a/b/c', bytes('x')), 'invalidMediaPath');
    expectDoubleError(() => model.putMediaFile(id, 'abcdefghi', bytes('x')), 'invalidMediaPath');
  });

  test('bad limits are refused when the model is made', () => {
    expect(() => newWorld({ limits: { maxMediaFileBytes: 0 } })).toThrow(RangeError);
  });
});

describe('content types', () => {
  test.each([
    ['a.png', 'image/png'],
    ['a.JPG', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.svg', 'image/svg+xml'],
    ['a.webp', 'image/webp'],
    ['a.ico', 'image/vnd.microsoft.icon'],
    ['a.woff2', 'font/woff2'],
    ['a.PNG', 'image/png'],
    ['a.bmp', 'image/bmp'],
    ['a.json', 'application/json'],
    ['a.txt', 'text/plain'],
    ['a.csv', 'text/csv'],
    ['a.html', 'text/html'],
    ['a.css', 'text/css'],
    ['a.js', 'text/javascript'],
    ['a.pdf', 'application/pdf'],
    ['a.qvf', 'application/octet-stream'],
    ['a.unknown', 'application/octet-stream'],
    ['noextension', 'application/octet-stream'],
    ['a.constructor', 'application/octet-stream'],
    ['.png', 'application/octet-stream'],
  ])('%s is %s', (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });
});

describe('getThumbnail', () => {
  test.each(['thumbs/t.png', 'media/files/thumbs/t.png', '/api/v1/apps/any-id/media/files/thumbs/t.png'])('resolves %j', (thumbnail) => {
    const model = scenarioWithThumbnail(thumbnail);
    const found = model.getThumbnail('t');
    expect(found.bytes.toString()).toBe('png bytes');
    expect(found.contentType).toBe('image/png');
  });

  test.each(['', 'thumbs/missing.png', '../etc/passwd', 'thumbs'])('%j is 404', (thumbnail) => {
    expectDoubleError(() => scenarioWithThumbnail(thumbnail).getThumbnail('t'), 'mediaNotFound');
  });

  function scenarioWithThumbnail(thumbnail: string) {
    return EngineModel.fromScenario({
      name: 'thumbs',
      apps: [{ attributes: { id: 't', thumbnail }, media: { 'thumbs/t.png': { text: 'png bytes' } } }],
    });
  }
});

describe('MediaTree.clone', () => {
  test('copies are independent both ways', () => {
    const original = new MediaTree();
    original.writeFile(['a', 'b.txt'], bytes('one'), DEFAULT_MEDIA_LIMITS);
    const copy = original.clone();
    copy.writeFile(['a', 'b.txt'], bytes('two'), DEFAULT_MEDIA_LIMITS);
    copy.writeFile(['a', 'c.txt'], bytes('three'), DEFAULT_MEDIA_LIMITS);
    original.remove(['a', 'b.txt']);
    expect(original.list([], 'all')).toEqual(['a/']);
    expect(copy.list([], 'all')).toEqual(['a/b.txt', 'a/c.txt']);
    expect(copy.readFile(['a', 'b.txt']).toString()).toBe('two');
    expect([original.fileCount, copy.fileCount]).toEqual([0, 2]);
  });
});
