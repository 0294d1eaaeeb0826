import { randomBytes } from 'node:crypto';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { errorsOf } from '../support/double';
import { rawRequest } from '../support/raw-http';

const OCTETS = { 'content-type': 'application/octet-stream' };

describe('media files over a real socket', () => {
  let engine: EngineDouble;
  let appId: string;
  const put = (path: string, bytes: Buffer | string) => rawRequest(engine.url, 'PUT', `/v1/apps/${appId}/media/files/${path}`, bytes, OCTETS);
  const get = (path: string) => rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/files/${path}`);
  const list = (path: string, show?: string) =>
    rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/list/${path}${show ? `?show=${show}` : ''}`);

  beforeAll(async () => {
    engine = await startEngineDouble({ log: () => undefined, mediaLimits: { maxMediaFileBytes: 8 * 1024 * 1024, maxMediaFilesPerApp: 50 } });
    const created = await rawRequest(engine.url, 'POST', '/v1/apps', '{"attributes":{"name":"media"}}', { 'content-type': 'application/json' });
    appId = (created.json() as { attributes: { id: string } }).attributes.id;
  });
  afterAll(async () => {
    expect(engine.runtime.journal.list().filter((e) => e.responseViolations.length > 0)).toEqual([]);
    await engine.close();
  });

  it.each([
    ['0 bytes', Buffer.alloc(0)],
    ['1 byte', Buffer.from([0x00])],
    ['all 256 byte values', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
    ['several MiB', randomBytes(5 * 1024 * 1024 + 7)],
  ])('gives back %s byte for byte', async (label, bytes) => {
    const path = `roundtrip/${label.replace(/ /g, '-')}.bin`;
    const stored = await put(path, bytes);
    expect(stored.status).toBe(200);
    const fetched = await get(path);
    expect(fetched.status).toBe(200);
    expect(fetched.headers['content-type']).toBe('application/octet-stream');
    expect(fetched.body.equals(bytes)).toBe(true);
  });

  it('creates the folders of a nested path and serves every file as the bytes the contract produces (application/octet-stream)', async () => {
    expect((await put('images/2024/q1/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]))).status).toBe(200);
    expect((await put('images/2024/q1/notes.txt', '{"looks":"like JSON"}')).status).toBe(200);
    expect((await get('images/2024/q1/notes.txt')).headers['content-type']).toBe('application/octet-stream');
    const res = await get('images/2024/q1/logo.png');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect([...res.body]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect((await get('images/2024/q1/logo.PNG')).status).toBe(404);
  });

  it('replaces a file on a second upload', async () => {
    await put('notes.txt', 'first');
    await put('notes.txt', 'second');
    expect((await get('notes.txt')).body.toString()).toBe('second');
  });

  it('answers a missing file, and a folder asked for as a file, with 404 MEDIA_NOT_FOUND', async () => {
    for (const path of ['nothing/here.png', 'images']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(errorsOf(res.json())[0]!.code).toBe('MEDIA_NOT_FOUND');
    }
  });

  it('refuses a file over the media file limit with 413 and stores nothing', async () => {
    const res = await put('too-big.bin', Buffer.alloc(8 * 1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(errorsOf(res.json())[0]!.code).toBe('MEDIA_LIMIT_EXCEEDED');
    expect((await get('too-big.bin')).status).toBe(404);
  });

  it('refuses a file past the files-per-app limit with 413 and keeps the files it has', async () => {
    const small = await startEngineDouble({ log: () => undefined, mediaLimits: { maxMediaFilesPerApp: 2 } });
    try {
      const made = await rawRequest(small.url, 'POST', '/v1/apps', '{}', { 'content-type': 'application/json' });
      const id = (made.json() as { attributes: { id: string } }).attributes.id;
      const upload = (name: string) => rawRequest(small.url, 'PUT', `/v1/apps/${id}/media/files/${name}`, name, OCTETS);
      expect([(await upload('a.txt')).status, (await upload('b.txt')).status]).toEqual([200, 200]);
      const third = await upload('c.txt');
      expect(third.status).toBe(413);
      expect(errorsOf(third.json())[0]!.code).toBe('MEDIA_LIMIT_EXCEEDED');
      expect((await upload('a.txt')).status).toBe(200);
      const listed = await rawRequest(small.url, 'GET', `/v1/apps/${id}/media/list/`);
      expect(listed.json()).toEqual(['a.txt', 'b.txt']);
    } finally {
      await small.close();
    }
  });

  it.each([
    ['a dot-dot segment', '../../secret.txt'],
    ['a dot-dot segment inside', 'images/../../secret.txt'],
    ['an encoded dot-dot', '%2e%2e/secret.txt'],
    ['a mixed-case encoded dot-dot', '%2E%2e/secret.txt'],
    ['an encoded slash', 'images%2f..%2f..%2fsecret.txt'],
    ['a backslash', '..\\secret.txt'],
    ['an encoded backslash', '..%5csecret.txt'],
    ['a NUL byte', 'file%00.png'],
    ['an absolute path', '/etc/passwd'],
    ['a drive letter', 'C:/windows/win.ini'],
    ['a dot segment', './secret.txt'],
    ['an over-long path', `${'a'.repeat(2000)}.txt`],
    ['a too deep path', `${'d/'.repeat(40)}x.txt`],
  ])('refuses %s with 400 INVALID_MEDIA_PATH on every media operation', async (_label, path) => {
    for (const res of [await put(path, 'x'), await get(path), await rawRequest(engine.url, 'DELETE', `/v1/apps/${appId}/media/files/${path}`), await list(path)]) {
      expect(res.status).toBe(400);
      expect(errorsOf(res.json())[0]).toMatchObject({ code: 'INVALID_MEDIA_PATH', source: { parameter: 'path' } });
    }
  });

  it('keeps a traversal attempt from touching another app', async () => {
    const other = await rawRequest(engine.url, 'POST', '/v1/apps', '{}', { 'content-type': 'application/json' });
    const otherId = (other.json() as { attributes: { id: string } }).attributes.id;
    await rawRequest(engine.url, 'PUT', `/v1/apps/${otherId}/media/files/private.txt`, 'secret', OCTETS);
    const res = await get(`../../${otherId}/media/files/private.txt`);
    expect(res.status).toBe(400);
    expect(errorsOf(res.json())[0]!.code).toBe('INVALID_MEDIA_PATH');
    expect(res.body.toString()).not.toContain('secret');
    const untouched = await rawRequest(engine.url, 'GET', `/v1/apps/${otherId}/media/files/private.txt`);
    expect(untouched.body.toString()).toBe('secret');
  });
});

describe('media lists, deletes and thumbnails', () => {
  let engine: EngineDouble;
  const appId = 'media-app';
  const files = {
    'top.txt': { text: 'top' },
    'images/logo.png': { base64: 'iVBORw0KGgo=' },
    'images/icons/small.png': { base64: 'AAEC' },
    'images/empty/': null,
    'archive/2019/': null,
    'docs/readme.md': { text: '# hi' },
  };
  const list = async (path: string, show?: string) => {
    const res = await rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/list/${path}${show === undefined ? '' : `?show=${show}`}`);
    return { status: res.status, body: res.json() };
  };

  beforeEach(async () => {
    engine = await startEngineDouble({
      log: () => undefined,
      scenario: { name: 'media', apps: [{ attributes: { id: appId, name: 'media', thumbnail: 'images/logo.png' }, media: files }] },
    });
  });
  afterEach(() => engine.close());

  it('lists a folder\'s own files and empty folders by default', async () => {
    expect(await list('')).toEqual({ status: 200, body: ['top.txt'] });
    expect(await list('images')).toEqual({ status: 200, body: ['images/empty/', 'images/logo.png'] });
    expect(await list('images', 'nonsense')).toEqual({ status: 200, body: ['images/empty/', 'images/logo.png'] });
  });

  it.each(['r', 'recursive'])('lists every file below, without empty folders, for show=%s', async (show) => {
    expect(await list('', show)).toEqual({
      status: 200,
      body: ['docs/readme.md', 'images/icons/small.png', 'images/logo.png', 'top.txt'],
    });
  });

  it.each(['a', 'all'])('lists every file and empty folder below for show=%s', async (show) => {
    expect(await list('', show)).toEqual({
      status: 200,
      body: ['archive/2019/', 'docs/readme.md', 'images/empty/', 'images/icons/small.png', 'images/logo.png', 'top.txt'],
    });
    expect(await list('images', show)).toEqual({ status: 200, body: ['images/empty/', 'images/icons/small.png', 'images/logo.png'] });
  });

  it('answers 404 for a list of a missing folder', async () => {
    const res = await list('nowhere');
    expect(res.status).toBe(404);
    expect(errorsOf(res.body)[0]!.code).toBe('MEDIA_NOT_FOUND');
  });

  it('deletes a whole folder with everything in it', async () => {
    const res = await rawRequest(engine.url, 'DELETE', `/v1/apps/${appId}/media/files/images`);
    expect(res.status).toBe(200);
    expect((await list('', 'a')).body).toEqual(['archive/2019/', 'docs/readme.md', 'top.txt']);
    expect((await rawRequest(engine.url, 'DELETE', `/v1/apps/${appId}/media/files/images`)).status).toBe(404);
  });

  it('deletes one file and leaves its folder', async () => {
    expect((await rawRequest(engine.url, 'DELETE', `/v1/apps/${appId}/media/files/docs/readme.md`)).status).toBe(200);
    expect((await list('', 'a')).body).toContain('docs/');
  });

  it('serves the file the thumbnail attribute names, and 404 once it is gone', async () => {
    const res = await rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/thumbnail`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.toString('base64')).toBe('iVBORw0KGgo=');
    await rawRequest(engine.url, 'DELETE', `/v1/apps/${appId}/media/files/images/logo.png`);
    const gone = await rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/thumbnail`);
    expect(gone.status).toBe(404);
    expect(errorsOf(gone.json())[0]!.code).toBe('MEDIA_NOT_FOUND');
  });

  it('copies media with the app, and later writes to one never show in the other', async () => {
    const copy = await rawRequest(engine.url, 'POST', `/v1/apps/${appId}/copy`, '{"attributes":{"name":"copy"}}', { 'content-type': 'application/json' });
    const copyId = (copy.json() as { attributes: { id: string } }).attributes.id;
    await rawRequest(engine.url, 'PUT', `/v1/apps/${copyId}/media/files/top.txt`, 'changed in copy', OCTETS);
    const original = await rawRequest(engine.url, 'GET', `/v1/apps/${appId}/media/files/top.txt`);
    const copied = await rawRequest(engine.url, 'GET', `/v1/apps/${copyId}/media/files/top.txt`);
    expect([original.body.toString(), copied.body.toString()]).toEqual(['top', 'changed in copy']);
    expect((await rawRequest(engine.url, 'GET', `/v1/apps/${copyId}/media/files/images/icons/small.png`)).status).toBe(200);
  });
});

describe('media limits of a scenario', () => {
  const manyFiles = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f/${i}.txt`, { text: '' }]));
  const scenario = (count: number) => ({ name: 'many', apps: [{ attributes: { id: 'many', name: 'many' }, media: manyFiles(count) }] });

  it("are the running double's, so raised limits admit a fixture over the defaults", async () => {
    const engine = await startEngineDouble({ log: () => undefined, mediaLimits: { maxMediaFilesPerApp: 10_050 }, scenario: scenario(10_001) });
    try {
      const res = await rawRequest(engine.url, 'GET', '/v1/apps/many/media/list/f');
      expect(res.status).toBe(200);
      expect(res.json()).toHaveLength(10_001);
    } finally {
      await engine.close();
    }
  });

  it('refuse a fixture over lowered limits at start, naming the limit', async () => {
    await expect(startEngineDouble({ log: () => undefined, mediaLimits: { maxMediaFilesPerApp: 2 }, scenario: scenario(3) })).rejects.toThrow(/limit is 2/);
  });
});
