/**
 * The matcher on a client that broke the contract. The first test fails on purpose: the test
 * that runs this project checks that jest exits 1 and that the failure lists the request.
 */
const { connectGlobalEngineDouble } = require('qlik-engine-double/jest');

let engine;

beforeAll(async () => {
  engine = await connectGlobalEngineDouble({ namespace: 'violations-file' });
  await engine.clearJournal();
  // A name must be a string; the engine's contract has no such path as /v1/app.
  await fetch(`${engine.url}/v1/apps`, {
    method: 'POST',
    headers: { ...engine.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ attributes: { name: 42 } }),
  });
  await fetch(`${engine.url}/v1/app/abc`, { headers: engine.headers });
});

test('DELIBERATELY FAILING: a client that broke the contract has no contract violations', async () => {
  await expect(engine).toHaveNoContractViolations();
});

test('a client that broke the contract has contract violations', async () => {
  await expect(engine).not.toHaveNoContractViolations();
});

test('another namespace of the same double has none', async () => {
  await expect(engine.namespace('violations-clean')).toHaveNoContractViolations();
});
