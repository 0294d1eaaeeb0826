import { errorsOf, newDouble } from '../support/double';
import { loadScenario } from '../../src/scenarios/registry';
import { NAMESPACE_HEADER } from '../../src/server';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

function defaultDouble(journalSize?: number) {
  return newDouble({ scenario: loadScenario('default'), ...(journalSize !== undefined ? { journalSize } : {}) });
}

interface Entry {
  sequence: number;
  operationId?: string;
  namespace?: string;
  status?: number;
  method: string;
  path: string;
  durationMs: number;
  requestViolations: { code: string; source?: { pointer?: string } }[];
  responseViolations: unknown[];
}

describe('GET /__control/journal', () => {
  it('lists recent requests oldest first with operation, namespace, status and duration', async () => {
    const { http } = defaultDouble();
    await http.get('/health');
    await http.get(`/v1/apps/${SALES_OVERVIEW}`);
    await http.get('/v1/apps/missing');
    const res = await http.get('/__control/journal');
    expect(res.status).toBe(200);
    expect(res.body.capacity).toBe(1000);
    const entries = res.body.entries as Entry[];
    expect(entries.map((e) => [e.method, e.path, e.operationId, e.namespace, e.status])).toEqual([
      ['GET', '/health', 'GET /health', '', 200],
      ['GET', `/v1/apps/${SALES_OVERVIEW}`, 'GET /v1/apps/{appId}', '', 200],
      ['GET', '/v1/apps/missing', 'GET /v1/apps/{appId}', '', 404],
    ]);
    expect(entries.every((e) => e.durationMs >= 0)).toBe(true);
    expect(entries.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it('gives the most recent entries only with ?limit, and refuses a limit below 1', async () => {
    const { http } = defaultDouble();
    for (let i = 0; i < 4; i += 1) await http.get('/health');
    const limited = await http.get('/__control/journal?limit=2');
    expect((limited.body.entries as Entry[]).map((e) => e.sequence)).toEqual([3, 4]);
    const zero = await http.get('/__control/journal?limit=0');
    expect(zero.status).toBe(400);
    // Refused by the contract's `minimum: 1` (src/spec/contract.ts keeps every parameter constraint), not by a hand-made check.
    expect(errorsOf(zero.body)).toEqual([expect.objectContaining({ code: 'INVALID_PARAMETER', source: { parameter: 'limit' }, meta: expect.objectContaining({ rule: 'minimum', in: 'query' }) })]);
    const violationsZero = await http.get('/__control/violations?limit=0');
    expect(violationsZero.status).toBe(400);
    expect(errorsOf(violationsZero.body)[0]).toMatchObject({ code: 'INVALID_PARAMETER', source: { parameter: 'limit' }, meta: { rule: 'minimum' } });
    const word = await http.get('/__control/journal?limit=all');
    expect(word.status).toBe(400);
    expect(errorsOf(word.body)[0]).toMatchObject({ code: 'INVALID_PARAMETER', source: { parameter: 'limit' }, meta: { rule: 'type' } });
  });

  it('keeps only --journal-size requests', async () => {
    const { http } = defaultDouble(3);
    for (let i = 0; i < 5; i += 1) await http.get('/health');
    const res = await http.get('/__control/journal');
    expect(res.body.capacity).toBe(3);
    expect((res.body.entries as Entry[]).map((e) => e.sequence)).toEqual([3, 4, 5]);
  });

  it('forgets entries on DELETE, and counts on', async () => {
    const { http } = defaultDouble();
    await http.get('/health');
    expect((await http.delete('/__control/journal')).status).toBe(204);
    const res = await http.get('/__control/journal');
    expect((res.body.entries as Entry[]).map((e) => [e.sequence, e.operationId])).toEqual([[2, 'DELETE /__control/journal']]);
  });
});

describe('GET /__control/violations', () => {
  it('lists only requests that broke the contract: malformed JSON with its operation, status and violation', async () => {
    const { http } = defaultDouble();
    await http.get('/health');
    await http.post('/v1/apps').set('content-type', 'application/json').send('{"attributes": {');
    await http.put(`/v1/apps/${SALES_OVERVIEW}`).send({ attributes: { name: 42 } });
    await http.get('/v1/apps/missing');
    await http.get('/v2/apps');
    const res = await http.get('/__control/violations');
    expect(res.status).toBe(200);
    const entries = res.body.entries as Entry[];
    expect(entries.map((e) => [e.operationId, e.status, e.requestViolations.map((v) => v.code)])).toEqual([
      ['POST /v1/apps', 400, ['MALFORMED_JSON']],
      ['PUT /v1/apps/{appId}', 400, ['INVALID_BODY']],
      [undefined, 404, ['ROUTE_NOT_FOUND']],
    ]);
    expect(entries[1]!.requestViolations[0]!.source).toEqual({ pointer: '/attributes/name' });
  });

  it('lists a response that broke the contract (warn mode) with what broke', async () => {
    const { http } = newDouble({ validation: 'warn', routes: { 'GET /healthcheck': () => ({ status: 200, body: { version: 12 } }) } });
    await http.get('/healthcheck');
    const [entry] = (await http.get('/__control/violations')).body.entries as Entry[];
    expect(entry).toMatchObject({ operationId: 'GET /healthcheck', status: 200, requestViolations: [] });
    expect(entry!.responseViolations).toEqual([expect.objectContaining({ detail: 'GET /healthcheck 200 body/version must be string', source: { pointer: '/version' } })]);
  });
});

describe('journal per namespace', () => {
  it('shows and clears each namespace its own requests only', async () => {
    const { http } = defaultDouble();
    await http.get('/health').set(NAMESPACE_HEADER, 'a');
    await http.post('/v1/apps').set(NAMESPACE_HEADER, 'b').set('content-type', 'application/json').send('{');
    await http.get('/health');
    const inA = (await http.get('/__control/journal').set(NAMESPACE_HEADER, 'a')).body.entries as Entry[];
    expect(inA.map((e) => [e.operationId, e.namespace])).toEqual([['GET /health', 'a']]);
    expect(((await http.get('/__control/violations').set(NAMESPACE_HEADER, 'a')).body.entries as Entry[])).toEqual([]);
    expect(((await http.get('/__control/violations').set(NAMESPACE_HEADER, 'b')).body.entries as Entry[]).map((e) => e.namespace)).toEqual(['b']);
    await http.delete('/__control/journal').set(NAMESPACE_HEADER, 'b');
    expect(((await http.get('/__control/journal').set(NAMESPACE_HEADER, 'b')).body.entries as Entry[]).map((e) => e.operationId)).toEqual(['DELETE /__control/journal']);
    expect(((await http.get('/__control/journal')).body.entries as Entry[]).map((e) => e.operationId)).toEqual(['GET /health']);
  });
});

describe('GET /__control/coverage', () => {
  interface Row {
    operation: string;
    requests: number;
    documented: Record<string, number>;
    undocumented: Record<string, number>;
  }
  const row = (body: { operations: Row[] }, id: string) => body.operations.find((o) => o.operation === id)!;

  it('starts with every engine operation and documented status at 0, and no control operation', async () => {
    const { http, runtime } = defaultDouble();
    const res = await http.get('/__control/coverage');
    expect(res.status).toBe(200);
    const engineIds = runtime.contract.engineOperations.map((op) => op.id);
    expect((res.body.operations as Row[]).map((o) => o.operation)).toEqual(engineIds);
    expect(res.body.summary).toMatchObject({ operations: engineIds.length, exercised: 0, percent: 0, statusesExercised: 0 });
    expect(row(res.body, 'GET /v1/apps/{appId}/media/thumbnail')).toEqual({
      operation: 'GET /v1/apps/{appId}/media/thumbnail',
      requests: 0,
      documented: { '200': 0, '404': 0 },
      undocumented: {},
    });
  });

  it('counts each operation and status the pipeline answered, undocumented statuses apart, across namespaces', async () => {
    const { http } = defaultDouble();
    await http.get(`/v1/apps/${SALES_OVERVIEW}`);
    await http.get(`/v1/apps/${SALES_OVERVIEW}`).set(NAMESPACE_HEADER, 'w1');
    await http.get('/v1/apps/missing');
    await http.post('/v1/apps').set('content-type', 'application/json').send('{');
    await http.get(`/v1/apps/${SALES_OVERVIEW}/media/thumbnail`);
    await http.get('/__control/journal');
    const res = await http.get('/__control/coverage');
    expect(row(res.body, 'GET /v1/apps/{appId}')).toEqual({ operation: 'GET /v1/apps/{appId}', requests: 3, documented: { '200': 2 }, undocumented: { '404': 1 } });
    expect(row(res.body, 'POST /v1/apps')).toMatchObject({ requests: 1, documented: { '200': 0 }, undocumented: { '400': 1 } });
    expect(row(res.body, 'GET /v1/apps/{appId}/media/thumbnail').documented).toEqual({ '200': 1, '404': 0 });
    const { summary } = res.body;
    expect(summary).toMatchObject({ exercised: 3, statusesExercised: 2 });
    expect(summary.percent).toBe(Math.round((3 / summary.operations) * 1000) / 10);
  });

  it('outlives a journal clear and resets on DELETE /__control/coverage', async () => {
    const { http } = defaultDouble();
    await http.get('/health');
    await http.delete('/__control/journal');
    expect(row((await http.get('/__control/coverage')).body, 'GET /health').documented).toEqual({ '200': 1 });
    expect((await http.delete('/__control/coverage')).status).toBe(204);
    const after = await http.get('/__control/coverage');
    expect(row(after.body, 'GET /health').requests).toBe(0);
    expect(after.body.summary.exercised).toBe(0);
  });
});
