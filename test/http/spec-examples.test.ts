import { errorsOf, newDouble } from '../support/double';
import { loadScenario } from '../../src/scenarios/registry';
import { loadContract } from '../../src/spec/contract';
import type { ScenarioDocument } from '../../src/scenarios/types';

/** Counts the requires of Prism in this test file's module registry. */
const mockPrismLoads = { count: 0 };
jest.mock('@stoplight/prism-http', () => {
  mockPrismLoads.count += 1;
  return jest.requireActual('@stoplight/prism-http');
});

const contract = loadContract();

function validates(operationId: string, body: unknown): boolean {
  const validate = contract.operation(operationId).responseValidators['200'];
  if (typeof validate !== 'function') throw new Error(`${operationId} 200 has no JSON schema`);
  return validate(body);
}

/** What Prism's static example of NxApp is: every string "string" (a date-time one Prism's example date), every boolean true, one item per array. */
const PRISM_DATE_TIME = '2019-08-24T14:15:22Z';
const STATIC_NX_APP = {
  attributes: {
    id: 'string',
    name: 'string',
    description: 'string',
    thumbnail: 'string',
    lastReloadTime: PRISM_DATE_TIME,
    createdDate: PRISM_DATE_TIME,
    modifiedDate: PRISM_DATE_TIME,
    owner: 'string',
    dynamicColor: 'string',
    published: true,
    publishTime: PRISM_DATE_TIME,
    custom: {},
  },
  privileges: ['string'],
  create: [{ resource: 'string', canCreate: true }],
};

// First in this file, before any spec-examples double has run: the mock factory runs on Prism's first load.
describe('a stateful double', () => {
  it('never loads Prism', async () => {
    const { http } = newDouble({ scenario: loadScenario('default') });
    expect((await http.get('/v1/apps/2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91')).status).toBe(200);
    expect((await http.get('/healthcheck')).status).toBe(200);
    expect((await http.get('/v1/apps/nope')).status).toBe(404);
    expect(mockPrismLoads.count).toBe(0);
  });
});

describe('the spec-examples scenario', () => {
  const scenario = loadScenario('spec-examples');

  it('answers GET /v1/apps/{appId} with Prism\'s static NxApp example, for any id, loading Prism on first use', async () => {
    const { http } = newDouble({ scenario });
    const res = await http.get('/v1/apps/any-id-at-all');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(STATIC_NX_APP);
    expect(validates('GET /v1/apps/{appId}', res.body)).toBe(true);
    expect((await http.get('/v1/apps/another')).body).toEqual(STATIC_NX_APP);
    // Prism's index requires itself again through a relative path, which the mock also counts.
    expect(mockPrismLoads.count).toBeGreaterThan(0);
  });

  it('answers GET /healthcheck with a 200 whose body passes the contract, and /health with an empty 200', async () => {
    const { http } = newDouble({ scenario });
    const res = await http.get('/healthcheck');
    expect(res.status).toBe(200);
    expect(validates('GET /healthcheck', res.body)).toBe(true);
    // Prism's example of a `double` is the lowest one: valid, if not what an engine reports.
    expect(res.body).toMatchObject({ version: 'string', started: 'string', mem: { committed: -Number.MAX_VALUE, allocated: -Number.MAX_VALUE, free: -Number.MAX_VALUE }, saturated: true });
    const health = await http.get('/health');
    expect(health.status).toBe(200);
    expect(health.text).toBe('');
  });

  it('answers binary operations with bytes and JSON ones with JSON, never the stateful model', async () => {
    const { http, runtime } = newDouble({ scenario });
    const file = await http.get('/v1/apps/x/media/files/deep/folder/pic.png').buffer(true);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.from(file.body as Buffer).toString()).toBe('string');
    const created = await http.post('/v1/apps').send({ attributes: { name: 'Sales' } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual(STATIC_NX_APP);
    expect(runtime.model().listApps()).toEqual([]);
    expect((await http.get('/sessions')).body).toEqual([{ sessionid: 'string', userid: 'string', appid: 'string', tenantid: 'string', ttl: -(2 ** 31), state: 'active' }]);
    expect((await http.delete('/v1/apps/x')).status).toBe(200);
  });

  it('still validates requests against the contract before Prism answers', async () => {
    const { http } = newDouble({ scenario });
    const res = await http.post('/v1/apps').send({ attributes: { name: 7 } });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_BODY', source: { pointer: '/attributes/name' } });
  });

  it('with dynamic examples gives the same answers for the same seed and others for another', async () => {
    const dynamic = (seed: number): ScenarioDocument => ({ ...scenario, examples: 'dynamic', seed });
    const one = (await newDouble({ scenario: dynamic(1) }).http.get('/v1/apps/a')).body;
    const again = (await newDouble({ scenario: dynamic(1) }).http.get('/v1/apps/a')).body;
    const other = (await newDouble({ scenario: dynamic(2) }).http.get('/v1/apps/a')).body;
    expect(validates('GET /v1/apps/{appId}', one)).toBe(true);
    expect(one).not.toEqual(STATIC_NX_APP);
    expect(again).toEqual(one);
    expect(other).not.toEqual(one);
  });
});

describe('every spec-examples answer conforms to the contract, formats and enums included', () => {
  const scenario = loadScenario('spec-examples');
  const calls: [string, string, unknown?][] = [
    ['GET', '/health'],
    ['GET', '/healthcheck'],
    ['GET', '/sessions'],
    ['POST', '/v1/apps', { attributes: { name: 'x' } }],
    ['GET', '/v1/apps/privileges'],
    ['GET', '/v1/apps/a'],
    ['PUT', '/v1/apps/a', { attributes: { name: 'y' } }],
    ['POST', '/v1/apps/a/copy', { attributes: { name: 'z' } }],
    ['GET', '/v1/apps/a/data/metadata'],
    ['GET', '/v1/apps/a/media/list/images'],
    ['GET', '/v1/apps/a/media/thumbnail'],
    ['PUT', '/v1/apps/a/publish', { stream: 's' }],
    ['PUT', '/v1/apps/a/unpublish'],
    ['DELETE', '/v1/apps/a'],
  ];

  it.each<[string, number | undefined]>([['static', undefined], ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed): [string, number] => [`dynamic, seed ${seed}`, seed])])('%s', async (_label, seed) => {
    const { http, runtime } = newDouble({ scenario: seed === undefined ? scenario : { ...scenario, examples: 'dynamic', seed }, validation: 'warn' });
    for (const [method, path, body] of calls) {
      const call = http[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](path);
      const res = body === undefined ? await call : await call.send(body as object);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const imported = await http.post('/v1/apps/import').set('content-type', 'application/octet-stream').send(Buffer.from('qvf'));
    expect(imported.status).toBe(200);
    expect(runtime.journal.list().flatMap((entry) => entry.responseViolations.map((p) => `${entry.operationId}: ${p.detail}`))).toEqual([]);
  });
});
