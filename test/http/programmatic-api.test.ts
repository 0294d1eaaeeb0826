/**
 * The programmatic API as a user's test file uses it: startEngineDouble on a real port, and the
 * same control methods in process and over HTTP (connectEngineDouble), each checked against what
 * the double then does on the wire.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectEngineDouble, DoubleError, startEngineDouble, type EngineDouble, type EngineDoubleControl, type ScenarioDocument } from '../../src/index';
import { localServer } from '../support/local-server';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';
const quiet = () => undefined;

/** Status and JSON body of an engine call. */
async function call(url: string, method: string, pathname: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** What a control method rejected with, asserted to be the double's error type. */
async function refusal(promise: Promise<unknown>): Promise<DoubleError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DoubleError)) throw new Error(`expected a DoubleError, got ${String(error)}`);
  return error;
}

function refusalSync(run: () => unknown): DoubleError {
  try {
    run();
  } catch (error) {
    if (error instanceof DoubleError) return error;
    throw error;
  }
  throw new Error('expected a DoubleError, nothing was thrown');
}

describe('startEngineDouble', () => {
  it('starts in a scenario given by name, with the seed, and serves it on a real port', async () => {
    const engine = await startEngineDouble({ port: 0, scenario: 'default', seed: 1, validation: 'strict', log: quiet });
    try {
      expect(engine.url).toBe(`http://127.0.0.1:${engine.port}`);
      expect(await engine.scenarios()).toMatchObject({ current: { namespace: '', name: 'default', mode: 'stateful', seed: 1 } });
      const app = await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`);
      expect(app.status).toBe(200);
      expect(app.body).toMatchObject({ attributes: { id: SALES_OVERVIEW, name: 'Sales Overview' } });
    } finally {
      await engine.close();
    }
  });

  it('refuses a bad qix option without leaving its API port listening', async () => {
    // A port known to be free, then started on: a refused start must hand it back.
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(startEngineDouble({ port, qix: { maxConnections: 0 }, log: quiet })).rejects.toThrow('qix.maxConnections must be a positive whole number, not 0');
    const again = net.createServer().listen(port, '127.0.0.1');
    await once(again, 'listening');
    await new Promise((resolve) => again.close(resolve));
  });

  it('checks a scenario document and expands its generators with the seed, the same seed giving the same world', async () => {
    const document: ScenarioDocument = { name: 'generated', apps: [{ attributes: { id: 'mine', name: 'Mine' } }], generate: { apps: { count: 3 } } };
    const ids = async (seed: number) => {
      const engine = await startEngineDouble({ scenario: document, seed, log: quiet });
      try {
        const state = await engine.state();
        return state.apps!.map((app) => app.attributes.id);
      } finally {
        await engine.close();
      }
    };
    const first = await ids(5);
    expect(first).toHaveLength(4);
    expect(first[0]).toBe('mine');
    expect(await ids(5)).toEqual(first);
    expect(await ids(6)).not.toEqual(first);
  });

  it('refuses a scenario document that breaks the schema, naming the pointer and rule', async () => {
    const broken = { name: 'broken', apps: [{ attributes: { published: 'yes' } }] } as unknown as ScenarioDocument;
    const error = await refusal(startEngineDouble({ scenario: broken, log: quiet }));
    expect(error.status).toBe(400);
    expect(error.entries[0]).toMatchObject({
      code: 'INVALID_SCENARIO',
      detail: 'scenario option#/apps/0/attributes/published must be boolean (type)',
      source: { pointer: '/apps/0/attributes/published' },
      meta: { rule: 'type' },
    });
  });

  it('refuses an unknown scenario name, listing the names it knows', async () => {
    const error = await refusal(startEngineDouble({ scenario: 'no-such-scenario', log: quiet }));
    expect(error.status).toBe(404);
    expect(error.entries[0]!.code).toBe('SCENARIO_NOT_FOUND');
    expect(error.entries[0]!.meta?.known).toEqual(expect.arrayContaining(['busy', 'default', 'empty']));
  });

  it("finds a scenario name in scenariosDir first, as serve --scenario does", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'programmatic-api-'));
    try {
      writeFileSync(path.join(dir, 'default.yaml'), 'name: default\ndescription: my own default\napps:\n  - attributes: { id: own-app, name: Own }\n');
      const engine = await startEngineDouble({ scenario: 'default', scenariosDir: dir, log: quiet });
      try {
        expect((await engine.scenarios()).current.description).toBe('my own default');
        expect((await call(engine.url, 'GET', '/v1/apps/own-app')).status).toBe(200);
        expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
      } finally {
        await engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes once, whatever the number of close() calls, and stops listening', async () => {
    const engine = await startEngineDouble({ log: quiet });
    const first = engine.close();
    expect(engine.close()).toBe(first);
    await first;
    await expect(fetch(`${engine.url}/health`)).rejects.toThrow();
  });
});

/** One double per test, reached by the flavour under test: its own handle, or a client over HTTP. */
const flavours: [string, (engine: EngineDouble) => Promise<EngineDoubleControl>][] = [
  ['in process', async (engine) => engine],
  ['over HTTP', (engine) => connectEngineDouble(engine.url)],
];

describe.each(flavours)('the control methods, %s', (_flavour, reach) => {
  let engine: EngineDouble;
  let control: EngineDoubleControl;
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', log: quiet });
    control = await reach(engine);
  });
  afterEach(() => engine.close());

  it('lists the scenarios and the current one', async () => {
    const catalog = await control.scenarios();
    expect(catalog.current).toMatchObject({ namespace: '', name: 'default', mode: 'stateful' });
    expect(catalog.scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(['busy', 'default', 'empty', 'large']));
    expect(catalog.scenarios.find((s) => s.name === 'busy')).toMatchObject({ source: 'shipped', file: 'scenarios/busy.yaml' });
  });

  it('registers an inline scenario and switches to it with a seed', async () => {
    expect(await control.addScenario({ name: 'two-apps', apps: [{ attributes: { id: 'a1', name: 'One' } }, { attributes: { id: 'a2', name: 'Two' } }] })).toEqual({
      name: 'two-apps',
      source: 'inline',
    });
    expect(await control.useScenario('two-apps', { seed: 3 })).toEqual({ namespace: '', name: 'two-apps', mode: 'stateful', seed: 3 });
    expect((await call(engine.url, 'GET', '/v1/apps/a2')).body).toMatchObject({ attributes: { name: 'Two' } });
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
  });

  it('refuses an unknown scenario with 404 and a bad inline one with 400, as HTTP does', async () => {
    const unknown = await refusal(control.useScenario('nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.message).toMatch(/^no scenario named "nope"; known: busy, default/);
    const bad = await refusal(control.addScenario({ name: 'bad', apps: [{ attributes: { published: 'yes' } }] } as unknown as ScenarioDocument));
    expect(bad.status).toBe(400);
    expect(bad.entries[0]).toMatchObject({ code: 'INVALID_SCENARIO', source: { pointer: '/apps/0/attributes/published' }, meta: { rule: 'type' } });
    const missing = await refusal(control.useScenario(undefined as unknown as string));
    expect(missing.status).toBe(400);
    expect(missing.entries[0]).toMatchObject({ code: 'INVALID_BODY', meta: { rule: 'required' } });
  });

  it('resets the world to the scenario: an app created since is gone', async () => {
    const created = await call(engine.url, 'POST', '/v1/apps', { body: '{"attributes":{"name":"Temp"}}' });
    const id = (created.body as { attributes: { id: string } }).attributes.id;
    expect((await call(engine.url, 'GET', `/v1/apps/${id}`)).status).toBe(200);
    expect(await control.reset()).toMatchObject({ name: 'default' });
    expect((await call(engine.url, 'GET', `/v1/apps/${id}`)).status).toBe(404);
  });

  it('exports the state and restores it; a bad state is refused and changes nothing', async () => {
    const saved = await control.state();
    expect(saved.apps!.map((app) => app.attributes.name)).toEqual(['Sales Overview', 'Customer Churn', 'Inventory Planning']);
    await call(engine.url, 'DELETE', `/v1/apps/${SALES_OVERVIEW}`);
    const bad = await refusal(control.restoreState({ name: 'x', sessions: [{ state: 'sleeping' }] } as unknown as ScenarioDocument));
    expect(bad.entries.map((e) => e.code)).toContain('INVALID_SCENARIO');
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(404);
    await expect(control.restoreState(saved)).resolves.toBeUndefined();
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
  });

  it('sets fault rules that hit engine calls, lists them with counters, and clears them', async () => {
    const [rule] = await control.setFaults([{ method: 'GET', path: '/v1/apps/*', status: 503, count: 2 }]);
    expect(rule).toMatchObject({ method: 'GET', path: '/v1/apps/*', status: 503, count: 2, remaining: 2, applied: 0 });
    const hit = await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`);
    expect(hit.status).toBe(503);
    expect(hit.body).toMatchObject({ errors: [{ code: 'INJECTED_FAULT', meta: { faultRule: rule!.id } }] });
    expect(await control.faults()).toEqual([{ ...rule, remaining: 1, applied: 1 }]);
    await expect(control.clearFaults()).resolves.toBeUndefined();
    expect(await control.faults()).toEqual([]);
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
  });

  it('refuses fault rules the control contract or the rule checks refuse, keeping the active ones', async () => {
    await control.setFaults([{ path: '/health', latencyMs: 1 }]);
    const outOfRange = await refusal(control.setFaults([{ path: '/x', status: 700 }]));
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.entries[0]).toMatchObject({ code: 'INVALID_BODY', source: { pointer: '/rules/0/status' }, meta: { rule: 'maximum' } });
    const badPattern = await refusal(control.setFaults([{ path: 'no-slash', latencyMs: 1 }]));
    expect(badPattern.entries[0]).toMatchObject({ code: 'INVALID_FAULT_RULE', source: { pointer: '/rules/0/path' } });
    expect((await control.faults()).map((r) => r.path)).toEqual(['/health']);
  });

  it('reads the journal (all, or the last N), the violations, and clears them', async () => {
    await call(engine.url, 'GET', '/health');
    await call(engine.url, 'POST', '/v1/apps', { body: '{"attributes": ' });
    const journal = await control.journal();
    const engineCalls = journal.filter((entry) => !entry.path.startsWith('/__control'));
    expect(engineCalls.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/health', 200],
      ['POST', '/v1/apps', 400],
    ]);
    expect(await control.journal({ limit: 1 })).toHaveLength(1);
    const [violation, ...others] = await control.violations();
    expect(others).toEqual([]);
    expect(violation).toMatchObject({ method: 'POST', path: '/v1/apps', status: 400, requestViolations: [{ code: 'MALFORMED_JSON' }] });
    const badLimit = await refusal(control.journal({ limit: 0 }));
    expect(badLimit.entries[0]).toMatchObject({ code: 'INVALID_PARAMETER', source: { parameter: 'limit' } });
    await control.clearJournal();
    expect(await control.violations()).toEqual([]);
  });

  it('reads the coverage of the engine operations and resets it', async () => {
    await call(engine.url, 'GET', '/health');
    await call(engine.url, 'GET', '/v1/apps/nope');
    const report = await control.coverage();
    expect(report.operations.find((o) => o.operation === 'GET /health')).toEqual({ operation: 'GET /health', requests: 1, documented: { 200: 1 }, undocumented: {} });
    expect(report.operations.find((o) => o.operation === 'GET /v1/apps/{appId}')).toMatchObject({ requests: 1, undocumented: { 404: 1 } });
    expect(report.summary).toMatchObject({ operations: 18, exercised: 2 });
    await control.resetCoverage();
    expect((await control.coverage()).summary.exercised).toBe(0);
  });

  it('gives each namespace its own world, faults and journal, and drops it', async () => {
    const worker = control.namespace('worker-1');
    expect(worker.namespaceName).toBe('worker-1');
    expect(worker.headers).toEqual({ 'x-engine-double-namespace': 'worker-1' });
    expect(control.headers).toEqual({});
    expect(worker.url).toBe(control.url);
    expect(await worker.useScenario('empty')).toMatchObject({ namespace: 'worker-1', name: 'empty' });
    await worker.setFaults([{ path: '/health', status: 500 }]);
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`, { headers: worker.headers })).status).toBe(404);
    expect((await call(engine.url, 'GET', '/health', { headers: worker.headers })).status).toBe(500);
    expect((await call(engine.url, 'GET', `/v1/apps/${SALES_OVERVIEW}`)).status).toBe(200);
    expect((await call(engine.url, 'GET', '/health')).status).toBe(200);
    expect(await control.faults()).toEqual([]);
    expect((await worker.violations()).length).toBe(0);
    expect((await worker.journal()).filter((e) => e.path === '/health').map((e) => e.status)).toEqual([500]);
    expect((await control.namespaces()).namespaces).toEqual([
      { namespace: '', scenario: 'default' },
      { namespace: 'worker-1', scenario: 'empty' },
    ]);
    await worker.dropNamespace();
    expect((await control.namespaces()).namespaces.map((n) => n.namespace)).toEqual(['']);
  });

  it('refuses a namespace name at once, and dropping the default namespace', () => {
    const badName = refusalSync(() => control.namespace('no spaces'));
    expect(badName).toMatchObject({ status: 400, entries: [{ code: 'INVALID_NAMESPACE', source: { header: 'x-engine-double-namespace' } }] });
    expect(refusalSync(() => control.namespace('')).status).toBe(400);
    return refusal(control.dropNamespace()).then((error) => expect(error.entries[0]).toMatchObject({ code: 'INVALID_NAMESPACE', meta: { rule: 'required' } }));
  });
});

describe('the in-process handle', () => {
  let engine: EngineDouble;
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', controlToken: 'the-control-token', log: quiet });
  });
  afterEach(() => engine.close());

  it('hands out copies: changing what it answered or sent never changes the double', async () => {
    const state = await engine.state();
    state.apps!.length = 0;
    expect((await engine.state()).apps).toHaveLength(3);
    const document: ScenarioDocument = { name: 'mutable', apps: [{ attributes: { id: 'kept', name: 'Kept' } }] };
    await engine.addScenario(document);
    document.apps![0]!.attributes.id = 'changed';
    await engine.useScenario('mutable');
    expect((await call(engine.url, 'GET', '/v1/apps/kept')).status).toBe(200);
  });

  it('needs no control token, while HTTP calls do', async () => {
    await expect(engine.useScenario('busy')).resolves.toMatchObject({ name: 'busy' });
    expect((await call(engine.url, 'GET', '/__control/scenarios')).status).toBe(401);
  });

  it('does not journal its own calls, which are not requests', async () => {
    await engine.reset();
    await engine.scenarios();
    expect(await engine.journal()).toEqual([]);
  });
});

describe('connectEngineDouble', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', controlToken: 'the-control-token', log: quiet });
  });
  afterAll(() => engine.close());

  it('sends the control token and the namespace it is given', async () => {
    const client = await connectEngineDouble(`${engine.url}/`, { token: 'the-control-token', namespace: 'ci' });
    expect(client.url).toBe(engine.url);
    expect(client.namespaceName).toBe('ci');
    expect(await client.useScenario('busy')).toMatchObject({ namespace: 'ci', name: 'busy' });
    expect((await call(engine.url, 'GET', '/health', { headers: client.headers })).status).toBe(429);
    expect((await call(engine.url, 'GET', '/health')).status).toBe(200);
  });

  it("refuses to connect without the double's control token, with the double's 401", async () => {
    const error = await refusal(connectEngineDouble(engine.url));
    expect(error.status).toBe(401);
    expect(error.entries[0]!.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(/control token/);
    expect((await refusal(connectEngineDouble(engine.url, { token: 'wrong' }))).message).toBe('the bearer token is not the control token of this double');
  });

  it('says what went wrong when no double answers: nothing listening, another server, no answer in time', async () => {
    const closed = await startEngineDouble({ log: quiet });
    await closed.close();
    await expect(connectEngineDouble(closed.url)).rejects.toThrow(`cannot connect to an engine double at ${closed.url}: ECONNREFUSED`);

    const other = await localServer((req, res) => {
      if (req.url === '/slow/__control/namespaces') return; // never answers
      res.statusCode = 404;
      res.setHeader('content-type', 'text/html');
      res.end('<html><body>Not Found</body></html>');
    });
    try {
      await expect(connectEngineDouble(other.url)).rejects.toThrow(`cannot connect to an engine double at ${other.url}: it answered 404 (<html><body>Not Found</body></html>): is an engine double listening there?`);
      await expect(connectEngineDouble(`${other.url}/slow`, { timeoutMs: 100 })).rejects.toThrow('no answer within 100 ms');
      expect(other.seen.map((r) => r.url)).toEqual(['/__control/namespaces', '/slow/__control/namespaces']);
    } finally {
      await other.close();
    }
  });

  it('refuses a URL or timeout it cannot use before sending anything', async () => {
    await expect(connectEngineDouble('localhost:9076')).rejects.toThrow('expected an http:// or https:// URL, not localhost:');
    await expect(connectEngineDouble('not a url')).rejects.toThrow('"not a url" is not a URL');
    await expect(connectEngineDouble(`${engine.url}?x=1`)).rejects.toThrow('takes no query or fragment');
    await expect(connectEngineDouble(engine.url, { timeoutMs: 0 })).rejects.toThrow('timeoutMs must be a whole number from 1 to 600000');
  });
});
