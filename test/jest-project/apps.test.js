/**
 * A user's tests against the double globalSetup started: each file in its own namespace, the
 * world reset before each test, and no contract violation at the end.
 */
const { connectGlobalEngineDouble } = require('qlik-engine-double/jest');

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine;

beforeAll(async () => {
  engine = await connectGlobalEngineDouble({ namespace: 'apps-file' });
});

beforeEach(() => engine.reset());

afterAll(() => expect(engine).toHaveNoContractViolations());

function send(method, path, body) {
  return fetch(`${engine.url}${path}`, {
    method,
    headers: { ...engine.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test('the double runs the configured scenario', async () => {
  expect((await engine.scenarios()).current).toMatchObject({ namespace: 'apps-file', name: 'default' });
  const res = await send('GET', `/v1/apps/${SALES_OVERVIEW}`);
  expect(res.status).toBe(200);
  expect((await res.json()).attributes.name).toBe('Sales Overview');
});

let scratchId;

test('an app created in one test is there within it', async () => {
  const created = await send('POST', '/v1/apps', { attributes: { name: 'Scratch' } });
  expect(created.status).toBe(200);
  scratchId = (await created.json()).attributes.id;
  expect((await send('GET', `/v1/apps/${scratchId}`)).status).toBe(200);
});

test('is gone in the next, after the reset in beforeEach', async () => {
  expect(scratchId).toEqual(expect.any(String));
  expect((await send('GET', `/v1/apps/${scratchId}`)).status).toBe(404);
});
