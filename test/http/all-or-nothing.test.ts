/**
 * Issue 12, item 3: every mutating engine operation is all or nothing. Each is driven into a
 * failure at its last step (the real handler has done its work, then the step after it fails) and
 * the world must be exactly as before, with sessions and media.
 */
import { engineRoutes } from '../../src/server';
import { handlersById, type Handler, type RouteTable } from '../../src/routes/types';
import { loadScenario } from '../../src/scenarios/registry';
import { errorsOf, newDouble } from '../support/double';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';
const JSON_TYPE = 'application/json';

/** Each mutating operation with a request that succeeds against the default scenario. */
const MUTATIONS = [
  { id: 'POST /v1/apps', method: 'post', path: '/v1/apps', body: { attributes: { name: 'New' } } },
  { id: 'POST /v1/apps/import', method: 'post', path: '/v1/apps/import', raw: Buffer.from('{"attributes":{"name":"Imported"}}') },
  { id: 'POST /v1/apps/import', method: 'post', path: `/v1/apps/import?mode=AUTOREPLACE`, raw: Buffer.from(`{"attributes":{"id":"${SALES_OVERVIEW}","name":"Replaced"}}`) },
  { id: 'PUT /v1/apps/{appId}', method: 'put', path: `/v1/apps/${SALES_OVERVIEW}`, body: { attributes: { name: 'Renamed' } } },
  { id: 'DELETE /v1/apps/{appId}', method: 'delete', path: `/v1/apps/${SALES_OVERVIEW}` },
  { id: 'POST /v1/apps/{appId}/copy', method: 'post', path: `/v1/apps/${SALES_OVERVIEW}/copy`, body: { attributes: { name: 'Copy' } } },
  { id: 'PUT /v1/apps/{appId}/publish', method: 'put', path: `/v1/apps/${SALES_OVERVIEW}/publish`, body: { stream: 'stream-1' } },
  { id: 'PUT /v1/apps/{appId}/unpublish', method: 'put', path: '/v1/apps/7b9e4d2a-1c3f-4a8b-b6d5-0e2f9c8a7d14/unpublish' },
  { id: 'PUT /v1/apps/{appId}/media/files/{path}', method: 'put', path: `/v1/apps/${SALES_OVERVIEW}/media/files/images/new.png`, raw: Buffer.from('png') },
  { id: 'PUT /v1/apps/{appId}/media/files/{path}', method: 'put', path: `/v1/apps/${SALES_OVERVIEW}/media/files/images/logo.png`, raw: Buffer.from('replaced') },
  { id: 'DELETE /v1/apps/{appId}/media/files/{path}', method: 'delete', path: `/v1/apps/${SALES_OVERVIEW}/media/files/images` },
] as const;

type Failure = 'throws' | 'answers a body that breaks the contract' | 'answers a 4xx';

/** The real handler, then a failure: the last step of the operation goes wrong after its work is done. */
function failingAfter(id: keyof typeof engineRoutes, failure: Failure): Handler {
  const real = handlersById(engineRoutes).get(id)!;
  return (request, context) => {
    const response = real(request, context);
    if (response instanceof Promise) throw new Error('the engine handlers are synchronous');
    if (failure === 'throws') throw new Error('fails at its last step');
    if (failure === 'answers a 4xx') return { status: 404, body: { errors: [{ code: 'X', title: 'x', status: '404', detail: 'late refusal' }] } };
    return { ...response, status: 299 }; // a status the contract does not document
  };
}

describe.each<Failure>(['throws', 'answers a body that breaks the contract', 'answers a 4xx'])('a mutating operation whose last step %s', (failure) => {
  it.each(MUTATIONS.map((m) => [`${m.method.toUpperCase()} ${m.path}`, m] as const))('%s leaves the world unchanged', async (_name, mutation) => {
    const routes: RouteTable = { [mutation.id]: failingAfter(mutation.id, failure) };
    const { runtime, http } = newDouble({ scenario: loadScenario('default'), routes });
    const before = JSON.stringify(runtime.model().toScenario());
    const call = http[mutation.method](mutation.path);
    const res = 'raw' in mutation ? await call.set('content-type', 'application/octet-stream').send(mutation.raw) : 'body' in mutation ? await call.set('content-type', JSON_TYPE).send(mutation.body) : await call;
    expect(res.status).toBeGreaterThanOrEqual(400);
    errorsOf(res.body);
    expect(JSON.stringify(runtime.model().toScenario())).toBe(before);
  });
});

/**
 * A handler of one's own may change more than the engine's handlers do: sessions (one added, one of
 * the scenario's removed) and the condition, besides apps. The transaction keeps them all or none.
 */
function beyondApps(failure: Failure | 'keeps'): Handler {
  return (_request, { model }) => {
    model.upsertSession({ sessionid: 'late', userid: 'carol', state: 'active' });
    model.removeSession('5c0ffee0-0000-4000-8000-000000000002', 'Personal\\bob');
    model.condition = 'busy';
    const app = model.createApp({ name: 'late' }, 'carol');
    if (failure === 'throws') throw new Error('fails at its last step');
    if (failure === 'answers a 4xx') return { status: 404, body: { errors: [{ code: 'X', title: 'x', status: '404', detail: 'late refusal' }] } };
    return { status: failure === 'keeps' ? 200 : 299, body: model.toNxApp(app, []) };
  };
}

describe('a handler of its own that changes sessions and the condition too', () => {
  async function run(failure: Failure | 'keeps'): Promise<{ res: Response; before: string; after: string }> {
    const { runtime, http } = newDouble({ scenario: loadScenario('default'), routes: { 'POST /v1/apps': beyondApps(failure) } });
    const before = JSON.stringify(runtime.model().toScenario());
    const res = await http.post('/v1/apps').set('content-type', JSON_TYPE).send({ attributes: { name: 'x' } });
    return { res: res as unknown as Response, before, after: JSON.stringify(runtime.model().toScenario()) };
  }

  it.each<Failure>(['throws', 'answers a body that breaks the contract', 'answers a 4xx'])('leaves the world unchanged when it %s', async (failure) => {
    const { res, before, after } = await run(failure);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(after).toBe(before);
  });

  it('keeps every change when it succeeds (so the tests above can fail)', async () => {
    const { res, after } = await run('keeps');
    expect(res.status).toBe(200);
    const world = JSON.parse(after) as { condition: string; sessions: { sessionid: string }[]; apps: { attributes: { name: string } }[] };
    expect(world.condition).toBe('busy');
    expect(world.sessions.map((s) => s.sessionid)).toEqual(['5c0ffee0-0000-4000-8000-000000000001', 'late']);
    expect(world.apps.map((a) => a.attributes.name)).toContain('late');
  });
});

describe('the same operations without a failure', () => {
  it.each(MUTATIONS.map((m) => [`${m.method.toUpperCase()} ${m.path}`, m] as const))('%s changes the world (so the tests above can fail)', async (_name, mutation) => {
    const { runtime, http } = newDouble({ scenario: loadScenario('default') });
    const before = JSON.stringify(runtime.model().toScenario());
    const call = http[mutation.method](mutation.path);
    const res = 'raw' in mutation ? await call.set('content-type', 'application/octet-stream').send(mutation.raw) : 'body' in mutation ? await call.set('content-type', JSON_TYPE).send(mutation.body) : await call;
    expect(res.status).toBeLessThan(300);
    expect(JSON.stringify(runtime.model().toScenario())).not.toBe(before);
  });
});
