import type { Session } from '../../src/spec/types';
import { errorsOf, newDouble } from '../support/double';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('apps: create, read, update, copy, publish, delete', () => {
  const { http, runtime } = newDouble();
  afterEach(() => jest.useRealTimers());

  afterAll(() => {
    // strict mode would have answered 500 for any response that broke the contract
    expect(runtime.journal.list().filter((e) => e.responseViolations.length > 0)).toEqual([]);
  });

  async function create(name = 'Sales', description = 'Quarterly figures') {
    const res = await http.post('/v1/apps').send({ attributes: { name, description } });
    expect(res.status).toBe(200);
    return res.body as { attributes: Record<string, unknown>; create: unknown[] };
  }

  it('creates an app with a fresh GUID, the given name and description, and the defaults of a new app', async () => {
    const app = await create();
    expect(app.attributes).toEqual({
      id: expect.stringMatching(GUID),
      name: 'Sales',
      description: 'Quarterly figures',
      thumbnail: '',
      lastReloadTime: expect.stringMatching(ISO),
      createdDate: expect.stringMatching(ISO),
      modifiedDate: expect.stringMatching(ISO),
      owner: 'Personal\\Me',
      dynamicColor: '',
      published: false,
      publishTime: '',
      custom: {},
      _resourcetype: 'app',
    });
    expect(app).toMatchObject({ privileges: expect.arrayContaining(['read', 'update', 'delete', 'publish', 'duplicate']) });
    expect(app.create).toContainEqual({ resource: '"sheet"', canCreate: true });
  });

  it('creates distinct apps from an empty attributes object', async () => {
    const a = await http.post('/v1/apps').send({});
    const b = await http.post('/v1/apps').send({ attributes: {} });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.attributes.id).not.toBe(b.body.attributes.id);
    expect(a.body.attributes.name).toBe('Untitled');
  });

  it('reads back what it created', async () => {
    const app = await create('Readable');
    const res = await http.get(`/v1/apps/${app.attributes.id}`);
    expect(res.status).toBe(200);
    expect(res.body.attributes).toEqual(app.attributes);
  });

  it('updates only the attributes sent and moves modifiedDate', async () => {
    const app = await create('Before', 'kept');
    // Only Date is faked: the clock moves a minute on, and the sockets' timers run as they do.
    jest.useFakeTimers({ now: Date.parse(app.attributes.modifiedDate as string) + 60_000, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const res = await http.put(`/v1/apps/${app.attributes.id}`).send({ attributes: { name: 'After' } });
    expect(res.status).toBe(200);
    expect(res.body.attributes).toMatchObject({ name: 'After', description: 'kept', createdDate: app.attributes.createdDate });
    expect(res.body.attributes.modifiedDate).toBe(new Date(Date.parse(app.attributes.modifiedDate as string) + 60_000).toISOString());
    expect((await http.get(`/v1/apps/${app.attributes.id}`)).body.attributes.name).toBe('After');
  });

  it('copies an app under a new id, overlaid by dstUpdate, unpublished, and leaves the source alone', async () => {
    const source = await create('Source', 'shared description');
    await http.put(`/v1/apps/${source.attributes.id}/publish`).send({ stream: 'everyone' });
    const res = await http.post(`/v1/apps/${source.attributes.id}/copy`).send({ attributes: { name: 'Copy' } });
    expect(res.status).toBe(200);
    expect(res.body.attributes).toMatchObject({ name: 'Copy', description: 'shared description', published: false, publishTime: '' });
    expect(res.body.attributes.id).toMatch(GUID);
    expect(res.body.attributes.id).not.toBe(source.attributes.id);
    const original = await http.get(`/v1/apps/${source.attributes.id}`);
    expect(original.body.attributes).toMatchObject({ name: 'Source', published: true });
  });

  it('publishes with a publishTime and unpublishes back to private', async () => {
    const app = await create('Publishable');
    const published = await http.put(`/v1/apps/${app.attributes.id}/publish`).send({ stream: 'abc' });
    expect(published.status).toBe(200);
    expect(published.body.attributes).toMatchObject({ published: true, publishTime: expect.stringMatching(ISO) });
    const unpublished = await http.put(`/v1/apps/${app.attributes.id}/unpublish`);
    expect(unpublished.status).toBe(200);
    expect(unpublished.body.attributes).toMatchObject({ published: false, publishTime: '' });
  });

  it('publishes without a body, as the contract makes it optional', async () => {
    const app = await create('No stream');
    const res = await http.put(`/v1/apps/${app.attributes.id}/publish`);
    expect(res.status).toBe(200);
    expect(res.body.attributes.published).toBe(true);
  });

  it('deletes an app so that later calls no longer find it or its media', async () => {
    const app = await create('Doomed');
    const id = app.attributes.id as string;
    await http.put(`/v1/apps/${id}/media/files/a.txt`).set('content-type', 'application/octet-stream').send(Buffer.from('x'));
    const res = await http.delete(`/v1/apps/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    for (const later of [http.get(`/v1/apps/${id}`), http.get(`/v1/apps/${id}/media/files/a.txt`), http.delete(`/v1/apps/${id}`)]) {
      const gone = await later;
      expect(gone.status).toBe(404);
      expect(errorsOf(gone.body)[0]).toMatchObject({ code: 'APP_NOT_FOUND', source: { parameter: 'appId' } });
    }
  });

  it.each([
    ['GET', ''],
    ['PUT', ''],
    ['POST', '/copy'],
    ['PUT', '/publish'],
    ['PUT', '/unpublish'],
    ['GET', '/data/metadata'],
    ['GET', '/media/thumbnail'],
    ['GET', '/media/list/'],
  ])('answers %s /v1/apps/{unknown}%s with 404 APP_NOT_FOUND', async (method, suffix) => {
    const path = `/v1/apps/00000000-0000-0000-0000-000000000000${suffix}`;
    const res = await http[method.toLowerCase() as 'get' | 'put' | 'post'](path).send({});
    expect(res.status).toBe(404);
    expect(errorsOf(res.body)[0]!.code).toBe('APP_NOT_FOUND');
    expect(errorsOf(res.body)[0]!.detail).toContain('00000000-0000-0000-0000-000000000000');
  });

  it('lists the global app privileges of the caller', async () => {
    const res = await http.get('/v1/apps/privileges');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(['can_create_app', 'can_import_app']);
  });
});

describe('data model metadata', () => {
  const { http } = newDouble();

  it('returns the empty structure for an app without a data model, with this host\'s hardware', async () => {
    const app = (await http.post('/v1/apps').send({ attributes: { name: 'no data' } })).body;
    const res = await http.get(`/v1/apps/${app.attributes.id}/data/metadata`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      reload_meta: { cpu_time_spent_ms: 0, hardware: { logical_cores: expect.any(Number), total_memory: expect.any(Number) } },
      static_byte_size: 0,
      fields: [],
      tables: [],
    });
    expect(res.body.reload_meta.hardware.logical_cores).toBeGreaterThan(0);
    expect(res.body.reload_meta.hardware.total_memory).toBeGreaterThan(1024 ** 3 / 2);
  });
});

describe('sessions', () => {
  it('lists the sessions of the scenario and derives the healthcheck figures from them', async () => {
    const sessions: Session[] = [
      { sessionid: 's1', userid: 'alice', appid: 'app-1', ttl: 0, state: 'active' },
      { sessionid: 's2', userid: 'bob', appid: 'app-2', ttl: 30, state: 'stalled' },
      { sessionid: 's3', userid: 'alice', appid: '', ttl: 0, state: 'active' },
    ];
    const { http } = newDouble({ scenario: { name: 'sessions', sessions } });
    const res = await http.get('/sessions');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(sessions);
    const health = await http.get('/healthcheck');
    expect(health.body.session).toEqual({ active: 2, total: 3 });
    expect(health.body.users).toEqual({ active: 1, total: 2 });
    expect(health.body.apps.active_docs).toEqual(['app-1']);
    expect(health.body.apps.loaded_docs).toEqual(['app-1', 'app-2']);
  });
});
