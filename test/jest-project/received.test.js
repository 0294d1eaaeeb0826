/**
 * toHaveReceived, verify and stubs as a user's jest project uses them. The first test fails on
 * purpose: the test that runs this project checks that the failure shows the near miss.
 */
const { connectGlobalEngineDouble } = require('qlik-engine-double/jest');

let engine;

beforeAll(async () => {
  engine = await connectGlobalEngineDouble({ namespace: 'received-file' });
  await engine.clearJournal();
  await fetch(`${engine.url}/v1/apps/import?mode=NEW`, {
    method: 'POST',
    headers: { ...engine.headers, 'content-type': 'application/octet-stream' },
    body: JSON.stringify({ attributes: { name: 'imported' } }),
  });
});

test('DELIBERATELY FAILING: the client imported once with mode AUTOREPLACE', async () => {
  await expect(engine).toHaveReceived({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'AUTOREPLACE' } } }, { times: 1 });
});

test('the client imported once with mode NEW, and never called DELETE', async () => {
  await expect(engine).toHaveReceived({ operationId: 'POST /v1/apps/import', query: { mode: { equals: 'NEW' } } }, { times: 1 });
  await expect(engine).not.toHaveReceived({ method: 'DELETE' });
});

test('a stub answers the next call, and verify counts it', async () => {
  const gone = { errors: [{ code: 'APP_NOT_FOUND', title: 'No app has this id', status: '404', detail: 'stubbed' }] };
  await engine.use({ request: { operationId: 'GET /v1/apps/{appId}' }, response: { status: 404, body: gone }, count: 1 });
  const res = await fetch(`${engine.url}/v1/apps/anything`, { headers: engine.headers });
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual(gone);
  await engine.verify({ operationId: 'GET /v1/apps/{appId}', status: 404 }, { times: 1 });
  await engine.resetStubs();
  expect(await engine.stubs()).toEqual([]);
});
