import { startEngineDouble, type EngineDouble } from '../../src/index';
import { NAMESPACE_HEADER } from '../../src/control/namespaces';
import { CALL_KINDS, type CallKind } from '../../src/pipeline/call';
import { loadScenario } from '../../src/scenarios/registry';
import { openQix, refusedUpgrade } from '../support/qix';
import { rawRequest } from '../support/raw-http';

const quiet = () => undefined;
const JSON_TYPE = { 'content-type': 'application/json' };

/** The stages each call ran, with its kind, while `work` runs. */
async function traced(engine: EngineDouble, work: () => Promise<unknown>): Promise<{ stages: readonly string[]; kind: CallKind }[]> {
  const calls: { stages: readonly string[]; kind: CallKind }[] = [];
  const stop = engine.runtime.traceStages((stages, kind) => calls.push({ stages, kind }));
  try {
    await work();
  } finally {
    stop();
  }
  return calls;
}

async function namespacesOf(engine: EngineDouble): Promise<string[]> {
  const res = await rawRequest(engine.url, 'GET', '/__control/namespaces');
  expect(res.status).toBe(200);
  return (res.json() as { namespaces: { namespace: string }[] }).namespaces.map((n) => n.namespace);
}

describe('one pipeline of stages', () => {
  let engine: EngineDouble;

  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: loadScenario('default'), metrics: { port: 0 }, log: quiet });
  });
  afterAll(() => engine.close());

  it('runs the stages in one order for engine, control, relay, in-process, QIX and metrics calls, each leaving out what does not apply', async () => {
    const all = engine.runtime.pipeline.stages.map((stage) => stage.name);
    const byKind = Object.fromEntries(CALL_KINDS.map((kind) => [kind, engine.runtime.stagesOf(kind)])) as Record<CallKind, string[]>;
    expect(byKind).toEqual({
      engine: ['host', 'url', 'namespace', 'route', 'fault', 'body', 'validate', 'stub', 'world', 'admit', 'handle', 'check-response', 'send', 'coverage', 'exchange', 'journal'],
      control: ['host', 'url', 'namespace', 'route', 'control-token', 'body', 'validate', 'handle', 'check-response', 'send', 'exchange', 'journal'],
      relay: ['host', 'url', 'namespace', 'route', 'fault', 'forward', 'check-response', 'send', 'coverage', 'exchange', 'journal'],
      'in-process': ['namespace', 'body', 'validate', 'handle'],
      qix: ['host', 'url', 'namespace', 'route', 'capacity', 'fault', 'world', 'admit', 'handle', 'send', 'journal'],
      metrics: ['host', 'url', 'namespace', 'route', 'fault', 'world', 'handle', 'send', 'journal'],
    });
    // Each kind's stages are the one list's, in its order.
    for (const kind of CALL_KINDS) expect(all.filter((name) => byKind[kind].includes(name))).toEqual(byKind[kind]);

    // And that is what calls run.
    const engineCalls = await traced(engine, () => rawRequest(engine.url, 'GET', '/v1/apps/privileges'));
    expect(engineCalls).toEqual([{ kind: 'engine', stages: byKind.engine }]);
    const controlCalls = await traced(engine, () => rawRequest(engine.url, 'GET', '/__control/faults'));
    expect(controlCalls).toEqual([{ kind: 'control', stages: byKind.control }]);
    const inProcess = await traced(engine, () => engine.faults());
    expect(inProcess).toEqual([{ kind: 'in-process', stages: byKind['in-process'] }]);
    // A real enigma.js session: its upgrade runs the stages, its method calls do not (the session journals them).
    const qix = await traced(engine, async () => {
      const client = await openQix(engine.url);
      await client.global.engineVersion();
      await client.close();
    });
    expect(qix).toEqual([{ kind: 'qix', stages: byKind.qix }]);
    const scrape = await traced(engine, () => fetch(engine.metricsUrl!).then((res) => res.text()));
    expect(scrape).toEqual([{ kind: 'metrics', stages: byKind.metrics }]);
    const proxy = await startEngineDouble({ proxy: { target: engine.url }, log: quiet });
    try {
      const relayed = await traced(proxy, () => rawRequest(proxy.url, 'GET', '/v1/apps/privileges'));
      expect(relayed).toEqual([{ kind: 'relay', stages: proxy.runtime.stagesOf('relay') }]);
      expect(proxy.runtime.stagesOf('relay')).toEqual(byKind.relay);
    } finally {
      await proxy.close();
    }
  });

  it('journals a QIX upgrade and a scrape through the same journal stage, marked with their door; searches leave scrapes out unless they name /metrics', async () => {
    await engine.clearJournal();
    const client = await openQix(engine.url);
    await client.global.engineVersion();
    await client.close();
    const scraped = await fetch(engine.metricsUrl!);
    expect(scraped.status).toBe(200);
    await scraped.text();
    const entries = await engine.journal();
    expect(entries.map((e) => [e.door, e.method, e.path, e.status, e.qix?.method])).toEqual([
      ['qix', 'GET', '/app/engineData', 101, undefined],
      ['qix', 'QIX', '/app/engineData', undefined, 'EngineVersion'],
      ['metrics', 'GET', '/metrics', 200, undefined],
    ]);
    expect(entries[2]?.request?.headers).toBeDefined();
    expect((await engine.received({ method: 'GET' })).map((e) => e.path)).toEqual(['/app/engineData']);
    expect((await engine.received({ method: 'GET', path: '/metrics' })).map((e) => e.door)).toEqual(['metrics']);
  });

  it('refuses an upgrade or a scrape before the world stage without making its namespace', async () => {
    const before = await namespacesOf(engine);
    const ns = { [NAMESPACE_HEADER]: 'never-made-door' };
    const calls = await traced(engine, async () => {
      expect((await refusedUpgrade(`${engine.url.replace('http', 'ws')}/v1/apps`, ns)).status).toBe(404);
      // ws refuses a handshake without a key in the capacity stage, before faults and the world.
      const noKey = { ...ns, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' };
      expect((await rawRequest(engine.url, 'GET', '/app/engineData', undefined, noKey)).status).toBe(400);
      expect((await fetch(`${engine.metricsUrl!.replace(/\/metrics$/, '')}/nowhere`, { headers: ns })).status).toBe(404);
      expect((await fetch(engine.metricsUrl!, { method: 'POST', headers: ns })).status).toBe(405);
    });
    expect(calls).toEqual([
      { kind: 'qix', stages: ['host', 'url', 'namespace', 'route', 'send', 'journal'] },
      { kind: 'qix', stages: ['host', 'url', 'namespace', 'route', 'capacity', 'send', 'journal'] },
      { kind: 'metrics', stages: ['host', 'url', 'namespace', 'route', 'send', 'journal'] },
      { kind: 'metrics', stages: ['host', 'url', 'namespace', 'route', 'send', 'journal'] },
    ]);
    expect(await namespacesOf(engine)).toEqual(before);
    // An upgrade that passes them makes it.
    const client = await openQix(engine.url, 'engineData', ns);
    await client.close();
    expect(await namespacesOf(engine)).toContain('never-made-door');
  });

  it('stops answering at the first refusal and still sends and journals it', async () => {
    const calls = await traced(engine, () => rawRequest(engine.url, 'POST', '/v1/apps', '{"attributes":', JSON_TYPE));
    expect(calls).toEqual([{ kind: 'engine', stages: ['host', 'url', 'namespace', 'route', 'fault', 'body', 'check-response', 'send', 'coverage', 'exchange', 'journal'] }]);
  });

  it('never makes a namespace for a refused request, nor for reading or clearing the rules of one that does not exist', async () => {
    const before = await namespacesOf(engine);
    const ns = { [NAMESPACE_HEADER]: 'never-made' };
    // Refused by the body, by the parameters, by routing, by the method: none reaches the world stage.
    expect((await rawRequest(engine.url, 'POST', '/v1/apps', '{"attributes":', { ...JSON_TYPE, ...ns })).status).toBe(400);
    expect((await rawRequest(engine.url, 'POST', '/v1/apps', '{"attributes":{"name":7}}', { ...JSON_TYPE, ...ns })).status).toBe(400);
    expect((await rawRequest(engine.url, 'GET', '/v1/nowhere', undefined, ns)).status).toBe(404);
    expect((await rawRequest(engine.url, 'PATCH', '/health', undefined, ns)).status).toBe(405);
    // Reads and clears of its faults and stubs need no world either.
    const faults = await rawRequest(engine.url, 'GET', '/__control/faults', undefined, ns);
    expect([faults.status, faults.json()]).toEqual([200, { rules: [] }]);
    const stubs = await rawRequest(engine.url, 'GET', '/__control/stubs', undefined, ns);
    expect([stubs.status, stubs.json()]).toEqual([200, { stubs: [] }]);
    expect((await rawRequest(engine.url, 'DELETE', '/__control/faults', undefined, ns)).status).toBe(204);
    expect((await rawRequest(engine.url, 'DELETE', '/__control/stubs', undefined, ns)).status).toBe(204);
    // Rules and stubs the contract allows but the double refuses are refused before the namespace is made.
    const badRule = await rawRequest(engine.url, 'PUT', '/__control/faults', JSON.stringify({ rules: [{ path: '/health' }] }), { ...JSON_TYPE, ...ns });
    expect([badRule.status, (badRule.json() as { errors: { code: string }[] }).errors[0]?.code]).toEqual([400, 'INVALID_FAULT_RULE']);
    const badStub = JSON.stringify({ stubs: [{ request: { operationId: 'GET /nowhere' }, response: { status: 200 } }] });
    for (const method of ['PUT', 'POST']) {
      const refused = await rawRequest(engine.url, method, '/__control/stubs', badStub, { ...JSON_TYPE, ...ns });
      expect([refused.status, (refused.json() as { errors: { code: string }[] }).errors[0]?.code]).toEqual([400, 'INVALID_STUB']);
    }
    // A switch to a scenario nobody knows, and a state document the double refuses.
    const unknown = await rawRequest(engine.url, 'PUT', '/__control/scenario', JSON.stringify({ name: 'nope' }), { ...JSON_TYPE, ...ns });
    expect([unknown.status, (unknown.json() as { errors: { code: string }[] }).errors[0]?.code]).toEqual([404, 'SCENARIO_NOT_FOUND']);
    const badState = await rawRequest(engine.url, 'PUT', '/__control/state', JSON.stringify({ name: 'bad', apps: [{ attributes: { published: 'yes' } }] }), { ...JSON_TYPE, ...ns });
    expect([badState.status, (badState.json() as { errors: { code: string }[] }).errors[0]?.code]).toEqual([400, 'INVALID_SCENARIO']);
    expect(await namespacesOf(engine)).toEqual(before);
    expect(before).not.toContain('never-made');

    // A call that passes validation makes it.
    expect((await rawRequest(engine.url, 'GET', '/health', undefined, ns)).status).toBe(200);
    expect(await namespacesOf(engine)).toEqual([...before, 'never-made'].sort((a, b) => a.localeCompare(b)));
  });

  it('refuses an in-process control call as HTTP would, without making its namespace', async () => {
    const before = await namespacesOf(engine);
    const worker = engine.namespace('in-process-refused');
    // No path: the control contract refuses it at validation, before any handler.
    await expect(worker.setFaults([{ status: 503 }] as never)).rejects.toMatchObject({ status: 400 });
    expect(await namespacesOf(engine)).toEqual(before);
  });
});
