/**
 * engine.received / count / verify / use / setStubs / resetStubs, on the in-process handle and on
 * the sidecar client (connectEngineDouble): the same answers and the same errors either way.
 */
import { connectEngineDouble, type EngineDoubleControl } from '../../src/client';
import { startEngineDouble, VerificationError, type EngineDouble } from '../../src/index';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine: EngineDouble;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: 'default', seed: 1, log: () => undefined });
});

afterAll(() => engine.close());

const handles: [string, () => Promise<EngineDoubleControl>][] = [
  ['in process', async () => engine.namespace('verify-in-process')],
  ['sidecar client', () => connectEngineDouble(engine.url, { namespace: 'verify-client' })],
];

describe.each(handles)('%s', (_name, handle) => {
  let control: EngineDoubleControl;
  beforeEach(async () => {
    control = await handle();
    await control.resetStubs();
    await control.clearJournal();
  });

  it('received and count answer the matching entries; verify passes on the expected count and throws a report with near misses', async () => {
    await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`, { headers: control.headers });
    await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`, { headers: control.headers });
    const entries = await control.received({ operationId: 'GET /v1/apps/{appId}' });
    expect(entries.map((e) => e.status)).toEqual([200, 200]);
    expect(await control.count({ method: 'GET', path: '/v1/apps/*' })).toBe(2);
    await expect(control.verify({ operationId: 'GET /v1/apps/{appId}' }, { times: 2 })).resolves.toHaveLength(2);
    await expect(control.verify({ operationId: 'GET /v1/apps/{appId}' }, { atLeast: 1, atMost: 2 })).resolves.toHaveLength(2);
    await expect(control.verify({ operationId: 'DELETE /v1/apps/{appId}' }, { times: 0 })).resolves.toEqual([]);
    const failed = control.verify({ operationId: 'GET /v1/apps/{appId}' }, { times: 1 });
    await expect(failed).rejects.toThrow(/expected exactly 1 request matching .*, but the double journaled 2:\n  1\. GET \/v1\/apps\/2f1c/);
    const error = (await control.verify({ method: 'GET', path: '/v1/apps/other' }).catch((e: unknown) => e)) as VerificationError;
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.search.nearMisses[0]!.differences).toEqual([{ field: 'path', expected: '/v1/apps/other', actual: `/v1/apps/${SALES_OVERVIEW}` }]);
    expect(error.message).toContain(`path: expected /v1/apps/other, got /v1/apps/${SALES_OVERVIEW}`);
    await expect(control.verify({}, { times: 1, atLeast: 1 })).rejects.toThrow(TypeError);
  });

  it('use adds contract-checked stubs, stubs lists them, resetStubs clears; a refusal is a DoubleError with pointers', async () => {
    const gone = { errors: [{ code: 'APP_NOT_FOUND', title: 'No app has this id', status: '404', detail: 'stubbed' }] };
    const [added] = await control.use({ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 404, body: gone } });
    expect(added).toMatchObject({ operationId: 'GET /v1/apps/{appId}', applied: 0 });
    expect((await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`, { headers: control.headers })).status).toBe(404);
    expect((await control.stubs())[0]).toMatchObject({ id: added!.id, applied: 1 });
    await expect(control.use({ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 200, body: { attributes: { name: 42 } } } })).rejects.toMatchObject({
      status: 400,
      entries: expect.arrayContaining([expect.objectContaining({ code: 'INVALID_STUB', source: { pointer: '/stubs/0/response/body/attributes/name' } })]),
    });
    await control.setStubs([]);
    expect(await control.stubs()).toEqual([]);
    await control.use({ request: { operationId: 'GET /health' }, response: { status: 503, body: gone } });
    await control.resetStubs();
    expect(await control.stubs()).toEqual([]);
    expect((await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`, { headers: control.headers })).status).toBe(200);
  });
});
