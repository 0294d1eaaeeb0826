/**
 * Contract-checked stubs: PUT/POST/GET/DELETE /__control/stubs, accepted and refused by the
 * engine's contract, priority, count, namespaces, "contract": "off" journaled as a violation, and
 * the same matcher deciding what a stub answers and what a verification counts.
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { NAMESPACE_HEADER } from '../../src/server';
import { errorsOf } from '../support/double';
import { jsonCall } from '../support/json-call';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined });
});

afterAll(() => engine.close());

afterEach(async () => {
  await call('DELETE', '/__control/stubs');
  await call('DELETE', '/__control/stubs', undefined, { [NAMESPACE_HEADER]: 'stubs-other' });
  await call('DELETE', '/__control/journal');
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => jsonCall(engine.url, method, path, body, headers);

const app = (name: string) => ({
  attributes: { id: SALES_OVERVIEW, name, description: '', thumbnail: '', lastReloadTime: '2024-01-01T00:00:00.000Z', createdDate: '2024-01-01T00:00:00.000Z', modifiedDate: '2024-01-01T00:00:00.000Z', owner: 'o', ownerId: 'o', dynamicColor: '', published: false, publishTime: '', custom: {}, hasSectionAccess: false, encrypted: false, originAppId: '', isDirectQueryMode: false, usage: 'ANALYTICS' },
  privileges: [],
  create: [],
});

async function validApp(name: string): Promise<unknown> {
  // The model's own answer, renamed: a body the contract certainly accepts.
  const res = await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
  return { ...res.body, attributes: { ...res.body.attributes, name } };
}

describe('PUT /__control/stubs', () => {
  it('answers matching engine calls with the stub instead of the model, and lists how often it applied', async () => {
    const body = await validApp('Stubbed');
    const put = await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /v1/apps/{appId}', path: `/v1/apps/${SALES_OVERVIEW}` }, response: { status: 200, headers: { 'x-stubbed': 'yes' }, body } }] });
    expect(put.status).toBe(200);
    const [stub] = put.body.stubs;
    await call('DELETE', '/__control/journal');
    expect(stub).toMatchObject({ id: expect.any(Number), operationId: 'GET /v1/apps/{appId}', applied: 0 });

    const res = await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
    expect(res.status).toBe(200);
    expect(res.body.attributes.name).toBe('Stubbed');
    expect(res.headers.get('x-stubbed')).toBe('yes');
    expect((await call('GET', '/v1/apps/not-stubbed')).status).toBe(404);

    expect((await call('GET', '/__control/stubs')).body.stubs[0]).toMatchObject({ id: stub.id, applied: 1 });
    const journal = await call('POST', '/__control/journal/find', { operationId: 'GET /v1/apps/{appId}', status: 200 });
    expect(journal.body.entries.map((e: { stub?: number }) => e.stub)).toEqual([stub.id]);
    expect(journal.body.entries[0].responseViolations).toEqual([]);
  });

  it('finds the operation from method and a concrete path, and matches on body and query like verification does', async () => {
    const registered = await call('PUT', '/__control/stubs', {
      stubs: [{ request: { method: 'POST', path: '/v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } }, response: { status: 200, body: await validApp('Imported by stub') } }],
    });
    const stubbed = await fetch(`${engine.url}/v1/apps/import?mode=AUTOREPLACE`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '{}' });
    expect(((await stubbed.json()) as any).attributes.name).toBe('Imported by stub');
    const real = await fetch(`${engine.url}/v1/apps/import?mode=NEW`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '{"attributes":{"name":"real"}}' });
    expect(((await real.json()) as any).attributes.name).toBe('real');
    const { body } = await call('POST', '/__control/journal/find', { method: 'POST', path: '/v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } });
    expect(body.count).toBe(1);
    expect(body.entries[0].stub).toBe(registered.body.stubs[0].id);
  });

  it('refuses a body that breaks the operation\'s response schema, with pointer and rule, and changes nothing', async () => {
    await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /health' }, response: { status: 200, body: { version: '1' } } }] });
    const broken = app('x') as any;
    broken.attributes.name = 42;
    const res = await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: broken } }] });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.body);
    expect(errors.some((e) => e.code === 'INVALID_STUB' && e.source?.pointer === '/stubs/0/response/body/attributes/name' && e.meta?.rule === 'type')).toBe(true);
    expect((await call('GET', '/__control/stubs')).body.stubs).toHaveLength(1);
  });

  it('judges a stub\'s Content-Type by the rule check applies to a live engine (one response judge)', async () => {
    const html = Buffer.from('<html>sessions</html>').toString('base64');
    const res = await call('PUT', '/__control/stubs', {
      stubs: [{ request: { operationId: 'GET /sessions' }, response: { status: 200, headers: { 'content-type': 'text/html' }, base64: html } }],
    });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toContainEqual(
      expect.objectContaining({
        code: 'INVALID_STUB',
        detail: '/stubs/0/response: GET /sessions 200: Content-Type text/html is not one it produces (application/json)',
        source: { pointer: '/stubs/0/response/headers' },
        meta: expect.objectContaining({ rule: 'content-type' }),
      }),
    );
    const png = await call('PUT', '/__control/stubs', {
      stubs: [{ request: { operationId: 'GET /v1/apps/{appId}/media/files/{path}' }, response: { status: 200, headers: { 'content-type': 'image/png' }, base64: 'iVBORw0KGgo=' } }],
    });
    expect(png.status).toBe(200);
  });

  it('refuses a status the operation does not document, and an error status without the error shape', async () => {
    const res = await call('PUT', '/__control/stubs', {
      stubs: [
        { request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 201, body: await validApp('x') } },
        { request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 404, body: { message: 'nope' } } },
        { request: { method: 'GET', path: '/v1/apps/*' }, response: { status: 200 } },
        { request: { operationId: 'GET /__control/journal' }, response: { status: 200 } },
      ],
    });
    expect(res.status).toBe(400);
    const where = errorsOf(res.body).map((e) => [e.source?.pointer, e.meta?.rule]);
    expect(where).toEqual(
      expect.arrayContaining([
        ['/stubs/0/response/status', 'status'],
        ['/stubs/1/response/body/errors', 'required'],
        ['/stubs/2/request', 'operation'],
        ['/stubs/3/request/operationId', 'engineOperation'],
      ]),
    );
  });

  it('accepts a 4xx in the double\'s error shape: a stub stands in for an engine error', async () => {
    const error = { errors: [{ code: 'APP_NOT_FOUND', title: 'No app has this id', status: '404', detail: 'stubbed away' }] };
    const put = await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 404, body: error }, count: 1 }] });
    expect(put.status).toBe(200);
    expect((await call('GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
    expect((await call('GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
    expect((await call('GET', '/__control/stubs')).body.stubs[0]).toMatchObject({ applied: 1, remaining: 0 });
  });

  it('"contract": "off" registers anything, sends it as is even in strict mode, and journals every answer as a violation', async () => {
    const put = await call('PUT', '/__control/stubs', { stubs: [{ request: { path: '/v1/apps/*' }, response: { status: 418, body: 'teapot' }, contract: 'off' }] });
    expect(put.status).toBe(200);
    const res = await call('GET', `/v1/apps/${SALES_OVERVIEW}`);
    expect(res.status).toBe(418);
    const violations = (await call('GET', '/__control/violations')).body.entries;
    expect(violations).toHaveLength(1);
    expect(violations[0].responseViolations[0].meta).toMatchObject({ rule: 'stubContractOff', stub: put.body.stubs[0].id });
  });

  it('tries higher priority first, then the order registered; POST adds after the ones held', async () => {
    const [low, high, later] = [await validApp('low'), await validApp('high'), await validApp('later')];
    await call('PUT', '/__control/stubs', {
      stubs: [
        { request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: low } },
        { request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: high }, priority: 5, count: 1 },
      ],
    });
    const added = await call('POST', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: later } }] });
    expect(added.status).toBe(201);
    expect(added.body.stubs).toHaveLength(1);
    expect((await call('GET', `/v1/apps/${SALES_OVERVIEW}`)).body.attributes.name).toBe('high');
    expect((await call('GET', `/v1/apps/${SALES_OVERVIEW}`)).body.attributes.name).toBe('low');
    expect((await call('GET', '/__control/stubs')).body.stubs.map((s: { priority?: number }) => s.priority ?? 0)).toEqual([5, 0, 0]);
  });

  it('belongs to one namespace', async () => {
    const other = { [NAMESPACE_HEADER]: 'stubs-other' };
    await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /health' }, response: { status: 200, body: { stubbed: true } }, contract: 'off' }] }, other);
    expect((await call('GET', '/health', undefined, other)).body).toEqual({ stubbed: true });
    expect((await call('GET', '/health')).body).not.toEqual({ stubbed: true });
    expect((await call('GET', '/__control/stubs')).body.stubs).toEqual([]);
  });

  it('answers bytes from base64 for binary operations', async () => {
    const bytes = Buffer.from([137, 80, 78, 71, 1, 2, 3]);
    await call('PUT', '/__control/stubs', {
      stubs: [{ request: { operationId: 'GET /v1/apps/{appId}/media/files/{path}' }, response: { status: 200, headers: { 'content-type': 'image/png' }, base64: bytes.toString('base64') } }],
    });
    const res = await call('GET', `/v1/apps/${SALES_OVERVIEW}/media/files/anything.png`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(bytes)).toBe(true);
  });

  it('DELETE clears', async () => {
    await call('PUT', '/__control/stubs', { stubs: [{ request: { operationId: 'GET /health' }, response: { status: 200, body: {} }, contract: 'off' }] });
    expect((await call('DELETE', '/__control/stubs')).status).toBe(204);
    expect((await call('GET', '/__control/stubs')).body.stubs).toEqual([]);
  });
});

describe('stubs in proxy mode', () => {
  it('are refused: the real engine answers every engine call, so a stub would never apply', async () => {
    const proxied = await startEngineDouble({ proxy: { target: 'http://127.0.0.1:9' }, log: () => undefined });
    try {
      await expect(proxied.use({ request: { operationId: 'GET /health' }, response: { status: 200, body: {} } })).rejects.toMatchObject({
        status: 400,
        entries: [expect.objectContaining({ code: 'INVALID_STUB', meta: { rule: 'proxyMode' } })],
      });
    } finally {
      await proxied.close();
    }
  });
});
