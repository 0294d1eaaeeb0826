import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { ScenarioRecorder } from '../../src/proxy/recorder';
import { loadScenario } from '../../src/scenarios/registry';
import type { JournalEntry } from '../../src/control/journal';
import { errorsOf } from '../support/double';
import { rawRequest, type RawResponse } from '../support/raw-http';
import { serveCli } from '../support/cli';
import { localServer } from '../support/local-server';

const SALES = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';
const CHURN = '7b9e4d2a-1c3f-4a8b-b6d5-0e2f9c8a7d14';
const INVENTORY = 'c4d8a1f6-5e2b-4f7c-8d9a-1b3e6f0a2c57';
const JSON_TYPE = { 'content-type': 'application/json' };
const OCTETS = { 'content-type': 'application/octet-stream' };
const quiet = () => undefined;

function headerValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  return values;
}

async function journal(engine: EngineDouble, kind: 'journal' | 'violations' = 'journal'): Promise<JournalEntry[]> {
  const res = await rawRequest(engine.url, 'GET', `/__control/${kind}`);
  expect(res.status).toBe(200);
  return (res.json() as { entries: JournalEntry[] }).entries;
}

/** The same request to the engine directly and through the proxy. */
async function both(direct: string, proxied: string, method: string, requestPath: string, body?: Buffer | string, headers = {}): Promise<[RawResponse, RawResponse]> {
  return [await rawRequest(direct, method, requestPath, body, headers), await rawRequest(proxied, method, requestPath, body, headers)];
}

describe('serve --proxy in front of an engine (a second double)', () => {
  let engine: EngineDouble;
  let proxy: EngineDouble;

  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: loadScenario('default'), log: quiet });
    proxy = await startEngineDouble({ proxy: { target: engine.url }, log: quiet });
  });
  afterAll(async () => {
    await proxy.close();
    await engine.close();
  });

  it("passes the engine's JSON answer through byte for byte, status and Content-Type included", async () => {
    const [direct, proxied] = await both(engine.url, proxy.url, 'GET', `/v1/apps/${SALES}`);
    expect(proxied.status).toBe(200);
    expect(proxied.body.equals(direct.body)).toBe(true);
    expect(proxied.headers['content-type']).toBe(direct.headers['content-type']);
    expect(proxied.headers['content-length']).toBe(direct.headers['content-length']);
  });

  it("changes the engine's world, not the proxy's: an app created through the proxy is in the engine", async () => {
    const created = await rawRequest(proxy.url, 'POST', '/v1/apps', '{"attributes":{"name":"Through the proxy"}}', JSON_TYPE);
    expect(created.status).toBe(200);
    const id = (created.json() as { attributes: { id: string } }).attributes.id;
    const direct = await rawRequest(engine.url, 'GET', `/v1/apps/${id}`);
    expect(direct.status).toBe(200);
    expect((direct.json() as { attributes: { name: string } }).attributes.name).toBe('Through the proxy');
    expect(proxy.runtime.model().hasApp(id)).toBe(false);
  });

  it('uploads and serves binary media unchanged in both directions', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(3 * 1024 * 1024)]);
    const stored = await rawRequest(proxy.url, 'PUT', `/v1/apps/${SALES}/media/files/uploads/blob.bin`, bytes, OCTETS);
    expect(stored.status).toBe(200);
    const fromEngine = await rawRequest(engine.url, 'GET', `/v1/apps/${SALES}/media/files/uploads/blob.bin`);
    expect(fromEngine.body.equals(bytes)).toBe(true);
    const throughProxy = await rawRequest(proxy.url, 'GET', `/v1/apps/${SALES}/media/files/uploads/blob.bin`);
    expect(throughProxy.status).toBe(200);
    expect(throughProxy.headers['content-type']).toBe('application/octet-stream');
    expect(throughProxy.body.equals(bytes)).toBe(true);
  });

  it('forwards a request that breaks the contract, passes the refusal through and journals the violation', async () => {
    const [direct, proxied] = await both(engine.url, proxy.url, 'POST', '/v1/apps', '{"attributes":{"name":5}}', JSON_TYPE);
    expect(proxied.status).toBe(400);
    expect(proxied.body.equals(direct.body)).toBe(true);
    const entry = (await journal(proxy, 'violations')).at(-1)!;
    expect(entry).toMatchObject({ method: 'POST', path: '/v1/apps', operationId: 'POST /v1/apps', status: 400, responseViolations: [] });
    expect(entry.requestViolations.map((v) => [v.code, v.source?.pointer])).toEqual([['INVALID_BODY', '/attributes/name']]);
  });

  it('forwards a path no operation has and journals it as unmatched', async () => {
    const [direct, proxied] = await both(engine.url, proxy.url, 'GET', '/v1/app');
    expect(proxied.status).toBe(404);
    expect(proxied.body.equals(direct.body)).toBe(true);
    const entry = (await journal(proxy)).at(-1)!;
    expect(entry.operationId).toBeUndefined();
    expect(entry.status).toBe(404);
    expect(entry.requestViolations.map((v) => v.code)).toEqual(['ROUTE_NOT_FOUND']);
  });

  it('keeps the control API its own and counts proxied calls in coverage', async () => {
    await rawRequest(proxy.url, 'GET', '/healthcheck');
    const coverage = await rawRequest(proxy.url, 'GET', '/__control/coverage');
    expect(coverage.status).toBe(200);
    const operations = (coverage.json() as { operations: { operation: string; documented: Record<string, number> }[] }).operations;
    expect(operations.find((o) => o.operation === 'GET /healthcheck')!.documented['200']).toBeGreaterThanOrEqual(1);
    // The engine behind saw no control call: its journal has none.
    expect(engine.runtime.journal.list().some((e) => e.path.startsWith('/__control'))).toBe(false);
  });

  it('applies its fault rules to proxied calls, before the engine hears of them', async () => {
    const set = await rawRequest(proxy.url, 'PUT', '/__control/faults', '{"rules":[{"method":"GET","path":"/v1/apps/*","status":503,"count":1}]}', JSON_TYPE);
    expect(set.status).toBe(200);
    const before = engine.runtime.journal.list().length;
    const faulted = await rawRequest(proxy.url, 'GET', `/v1/apps/${SALES}`);
    expect(faulted.status).toBe(503);
    expect(errorsOf(faulted.json())[0]!.code).toBe('INJECTED_FAULT');
    expect(engine.runtime.journal.list().length).toBe(before);
    expect((await rawRequest(proxy.url, 'GET', `/v1/apps/${SALES}`)).status).toBe(200);
  });
});

describe('serve --proxy with an engine that misbehaves', () => {
  it("journals an answer that breaks the contract and still gives the client the engine's bytes", async () => {
    const broken = await localServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"version":12}');
    });
    const proxy = await startEngineDouble({ proxy: { target: broken.url }, log: quiet });
    try {
      const res = await rawRequest(proxy.url, 'GET', '/healthcheck');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('{"version":12}');
      const [entry] = await journal(proxy, 'violations');
      expect(entry).toMatchObject({ method: 'GET', path: '/healthcheck', operationId: 'GET /healthcheck', status: 200, requestViolations: [] });
      expect(entry!.responseViolations).toContainEqual(
        expect.objectContaining({ detail: expect.stringMatching(/^the engine's answer: GET \/healthcheck 200 body.*version.*must be string/), meta: expect.objectContaining({ rule: 'type' }) }),
      );
    } finally {
      await proxy.close();
      await broken.close();
    }
  });

  it('sends the request as the client did: raw path and query, body, end-to-end headers; hop-by-hop and namespace headers stop', async () => {
    const echo = await localServer((_req, res) => {
      res.writeHead(201, 'Made', [
        ['Set-Cookie', 'X-Qlik-Session=abc; Path=/'],
        ['Set-Cookie', 'other=1'],
        ['Keep-Alive', 'timeout=99'],
        ['X-Engine', 'real'],
      ]);
      res.end('made');
    });
    const proxy = await startEngineDouble({ proxy: { target: `${echo.url}/prefix/` }, log: quiet });
    try {
      const res = await rawRequest(proxy.url, 'POST', '/v1/apps/a%2Fb/copy?x=1&x=2', '{"attributes":{}}', {
        ...JSON_TYPE,
        authorization: 'Bearer secret-token',
        'x-qlik-session': 'session-1',
        connection: 'keep-alive, x-hop',
        'x-hop': 'stop here',
        'x-engine-double-namespace': 'worker-1',
      });
      expect(res.status).toBe(201);
      expect(res.body.toString()).toBe('made');
      expect(res.headers['set-cookie']).toEqual(['X-Qlik-Session=abc; Path=/', 'other=1']);
      expect(res.headers['x-engine']).toBe('real');
      expect(res.headers['keep-alive']).not.toBe('timeout=99');
      const [seen] = echo.seen;
      expect(seen).toMatchObject({ method: 'POST', url: '/prefix/v1/apps/a%2Fb/copy?x=1&x=2' });
      expect(seen!.body.toString()).toBe('{"attributes":{}}');
      expect(headerValues(seen!.rawHeaders, 'authorization')).toEqual(['Bearer secret-token']);
      expect(headerValues(seen!.rawHeaders, 'x-qlik-session')).toEqual(['session-1']);
      expect(headerValues(seen!.rawHeaders, 'content-type')).toEqual(['application/json']);
      expect(headerValues(seen!.rawHeaders, 'host')).toEqual([new URL(echo.url).host]);
      expect(headerValues(seen!.rawHeaders, 'x-hop')).toEqual([]);
      expect(headerValues(seen!.rawHeaders, 'x-engine-double-namespace')).toEqual([]);
      // The namespace header still picks the journal the call is listed in.
      expect((await rawRequest(proxy.url, 'GET', '/__control/journal', undefined, { 'x-engine-double-namespace': 'worker-1' })).json()).toMatchObject({
        entries: [{ path: '/v1/apps/a%2Fb/copy?x=1&x=2', status: 201, namespace: 'worker-1' }],
      });
    } finally {
      await proxy.close();
      await echo.close();
    }
  });

  it('answers 502 UPSTREAM_UNREACHABLE in the error shape when nothing listens at the engine URL', async () => {
    const gone = await localServer(() => undefined);
    await gone.close();
    const proxy = await startEngineDouble({ proxy: { target: gone.url }, log: quiet });
    try {
      const res = await rawRequest(proxy.url, 'GET', '/v1/apps/privileges');
      expect(res.status).toBe(502);
      const [error] = errorsOf(res.json());
      expect(error).toMatchObject({ code: 'UPSTREAM_UNREACHABLE', status: '502', meta: { target: gone.url, code: 'ECONNREFUSED' } });
      expect(error!.detail).toContain(`the engine at ${gone.url} cannot be reached for GET /v1/apps/privileges`);
      expect((await rawRequest(proxy.url, 'GET', '/__control/journal')).json()).toMatchObject({ entries: [{ status: 502, operationId: 'GET /v1/apps/privileges' }] });
    } finally {
      await proxy.close();
    }
  });

  it('answers 504 UPSTREAM_TIMEOUT when the engine stays silent past the proxy timeout', async () => {
    const silent = await localServer(() => undefined);
    const proxy = await startEngineDouble({ proxy: { target: silent.url, timeoutMs: 100 }, log: quiet });
    try {
      const res = await rawRequest(proxy.url, 'GET', '/health');
      expect(res.status).toBe(504);
      expect(errorsOf(res.json())[0]).toMatchObject({ code: 'UPSTREAM_TIMEOUT', meta: { timeoutMs: 100 } });
    } finally {
      await proxy.close();
      await silent.close();
    }
  });

  it('refuses a body over the body limit with 413 before the engine hears of it', async () => {
    const echo = await localServer((_req, res) => res.end());
    const proxy = await startEngineDouble({ proxy: { target: echo.url }, bodyLimit: 1024, log: quiet });
    try {
      const res = await rawRequest(proxy.url, 'PUT', `/v1/apps/${SALES}/media/files/big.bin`, Buffer.alloc(1025), OCTETS);
      expect(res.status).toBe(413);
      expect(errorsOf(res.json())[0]!.code).toBe('PAYLOAD_TOO_LARGE');
      expect(echo.seen).toEqual([]);
    } finally {
      await proxy.close();
      await echo.close();
    }
  });

  it('refuses an engine URL that is not http(s) when it starts', async () => {
    await expect(startEngineDouble({ proxy: { target: 'ftp://engine' }, log: quiet })).rejects.toThrow(/http:\/\/ or https:\/\//);
  });
});

/** Starts `qlik-engine-double serve ARGS` from the build; resolves with its URL and its exit. */
const serve = (args: string[]) => serveCli(['--port', '0', '--host', '127.0.0.1', ...args]);

describe('serve --proxy --record', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-record-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records what the engine showed as a scenario that plays back', async () => {
    const engine = await startEngineDouble({ scenario: loadScenario('default'), log: quiet });
    const recorder = new ScenarioRecorder({ dir, source: engine.url, log: quiet });
    const proxy = await startEngineDouble({ proxy: { target: engine.url, onExchange: recorder.observe }, log: quiet });
    const logo = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    let createdId: string;
    let metadata: Buffer;
    let sessions: Buffer;
    try {
      const created = await rawRequest(proxy.url, 'POST', '/v1/apps', '{"attributes":{"name":"Draft"}}', JSON_TYPE);
      createdId = (created.json() as { attributes: { id: string } }).attributes.id;
      expect((await rawRequest(proxy.url, 'PUT', `/v1/apps/${createdId}`, '{"attributes":{"name":"Final","description":"renamed"}}', JSON_TYPE)).status).toBe(200);
      expect((await rawRequest(proxy.url, 'PUT', `/v1/apps/${createdId}/media/files/images/logo%20v2.png`, logo, OCTETS)).status).toBe(200);
      const inventory = await rawRequest(proxy.url, 'GET', `/v1/apps/${INVENTORY}/data/metadata`);
      expect(inventory.status).toBe(200);
      metadata = inventory.body;
      sessions = (await rawRequest(proxy.url, 'GET', '/sessions')).body;
      expect((await rawRequest(proxy.url, 'GET', `/v1/apps/${CHURN}`)).status).toBe(200);
      expect((await rawRequest(proxy.url, 'DELETE', `/v1/apps/${CHURN}`)).status).toBe(200);
      // A request the engine refused teaches nothing.
      expect((await rawRequest(proxy.url, 'GET', '/v1/apps/no-such-app')).status).toBe(404);
    } finally {
      await proxy.close();
      await engine.close();
    }
    await recorder.flush();

    const recorded = loadScenario('recorded', { scenariosDir: dir });
    expect(recorded.apps!.map((app) => app.attributes.id)).toEqual([createdId, INVENTORY]);
    expect(fs.readdirSync(dir)).toEqual(['recorded.yaml']);

    const playback = await startEngineDouble({ scenario: recorded, log: quiet });
    try {
      const app = await rawRequest(playback.url, 'GET', `/v1/apps/${createdId}`);
      expect(app.status).toBe(200);
      expect((app.json() as { attributes: Record<string, unknown> }).attributes).toMatchObject({ id: createdId, name: 'Final', description: 'renamed' });
      const media = await rawRequest(playback.url, 'GET', `/v1/apps/${createdId}/media/files/images/logo%20v2.png`);
      expect(media.status).toBe(200);
      expect(media.body.equals(logo)).toBe(true);
      expect((await rawRequest(playback.url, 'GET', `/v1/apps/${INVENTORY}/data/metadata`)).json()).toEqual(JSON.parse(metadata.toString()));
      expect((await rawRequest(playback.url, 'GET', '/sessions')).json()).toEqual(JSON.parse(sessions.toString()));
      expect((await rawRequest(playback.url, 'GET', `/v1/apps/${CHURN}`)).status).toBe(404);
      expect(playback.runtime.journal.violations()).toEqual([]);
    } finally {
      await playback.close();
    }
  });

  it('refuses --record without --proxy, with exit 1 saying why, and writes nothing', async () => {
    await expect(serve(['--record', dir])).rejects.toThrow(/exited 1 before listening: .*--record needs --proxy/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('never prints the password of an engine URL it refuses, valid URL or not', async () => {
    const refusal = (url: string) => serve(['--proxy', url]).then(() => 'listening', (error: Error) => error.message);
    const withCredentials = await refusal('https://user:s3cret@engine');
    expect(withCredentials).toMatch(/exited 1 before listening: .*--proxy: the engine URL must not hold credentials/);
    const notAUrl = await refusal('https://user:s3cret@en gine');
    expect(notAUrl).toMatch(/exited 1 before listening: .*--proxy: "https:\/\/\*\*\*@en gine" is not a URL/);
    expect([withCredentials, notAUrl].filter((message) => message.includes('s3cret'))).toEqual([]);
  });

  it('runs from the command line: records while serving, writes on SIGTERM, exits 0, and serve --scenario plays it back', async () => {
    const busy = loadScenario('busy');
    const appPath = `/v1/apps/${busy.apps![0]!.attributes.id}`;
    const engine = await startEngineDouble({ scenario: busy, log: quiet });
    try {
      const recording = await serve(['--proxy', engine.url, '--record', dir, '--record-name', 'from-cli']);
      expect((await rawRequest(recording.url, 'GET', '/health')).status).toBe(429);
      const app = await rawRequest(recording.url, 'GET', appPath);
      expect(app.status).toBe(200);
      recording.child.kill('SIGTERM');
      expect(await recording.exit).toBe(0);
      expect(loadScenario('from-cli', { scenariosDir: dir }).condition).toBe('busy');

      const playback = await serve(['--scenario', 'from-cli', '--scenarios-dir', dir]);
      expect((await rawRequest(playback.url, 'GET', '/health')).status).toBe(429);
      expect((await rawRequest(playback.url, 'GET', appPath)).json()).toEqual(app.json());
      playback.child.kill('SIGTERM');
      expect(await playback.exit).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
