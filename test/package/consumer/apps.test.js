/** A consumer's jest test against the global double: the config's scenario applies, and the matcher works both ways. */
const { connectGlobalEngineDouble } = require('qlik-engine-double/jest');

let engine;
beforeAll(async () => {
  engine = await connectGlobalEngineDouble();
});

test("the double runs the jest config's scenario", async () => {
  expect((await engine.scenarios()).current).toMatchObject({ name: 'busy', seed: 3 });
  expect((await fetch(`${engine.url}/health`)).status).toBe(429);
});

test('a client that keeps the contract leaves no violations', async () => {
  const created = await fetch(`${engine.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes: { name: 'Sales' } }) });
  expect(created.status).toBe(200);
  await expect(engine).toHaveNoContractViolations();
});

test('a client that breaks it fails the matcher, naming the request', async () => {
  await fetch(`${engine.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes: { name: 42 } }) });
  await expect(expect(engine).toHaveNoContractViolations()).rejects.toThrow(/POST \/v1\/apps → 400/);
});
