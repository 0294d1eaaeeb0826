/**
 * The QIX door's edges: a secured engine (401 before the upgrade, access rules on OpenDoc), fault
 * rules (refuse, close after N messages, delay), and hostile frames (not JSON, not JSON-RPC, binary,
 * huge, a flood), each answered with the engine's protocol error or a close with a reason while
 * the double keeps serving.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { mintToken } from '../../src/auth/mint';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { toHaveNoContractViolations } from '../../src/jest/matcher';
import { loadScenario } from '../../src/scenarios/registry';
import { openQix, rawQix, refusedUpgrade, type QixClient } from '../support/qix';
import { rawRequest } from '../support/raw-http';

const SECURED = loadScenario('secured');
const SECRET = SECURED.security?.jwt?.secret ?? '';
const BOARD = '5ec0a9e1-0000-4000-8000-000000000001';

let engine: EngineDouble;
const open: QixClient[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  await engine.close();
});

/** GET /sessions as admin; the secured scenario tracks REST callers' sessions too, so admin's own is left out. */
async function sessions(): Promise<Record<string, unknown>[]> {
  const listed = (await (await fetch(`${engine.url}/sessions`, { headers: { authorization: `Bearer ${await mintToken({ sub: 'admin' }, { secret: SECRET })}` } })).json()) as Record<string, unknown>[];
  return listed.filter((session) => session.userid !== 'admin');
}

describe('a secured engine', () => {
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'secured', log: () => undefined });
  });

  it('refuses an upgrade without a valid bearer token with 401 before any upgrade, and lists no session', async () => {
    const url = `${engine.url.replace('http', 'ws')}/app/engineData`;
    const missing = await refusedUpgrade(url);
    expect(missing).toMatchObject({ status: 401, body: { errors: [expect.objectContaining({ code: 'UNAUTHORIZED' })] } });
    const forged = await refusedUpgrade(url, { authorization: `Bearer ${await mintToken({ sub: 'admin' }, { secret: 'not-the-secret' })}` });
    expect(forged).toMatchObject({ status: 401, body: { errors: [expect.objectContaining({ code: 'UNAUTHORIZED' })] } });
    expect(await sessions()).toEqual([]);
  });

  it('admits a signed token as its user, and the access rules decide which apps OpenDoc opens', async () => {
    const viewer = await openQix(engine.url, 'engineData', { authorization: `Bearer ${await mintToken({ sub: 'viewer' }, { secret: SECRET })}` });
    open.push(viewer);
    expect(await viewer.global.getAuthenticatedUser()).toBe('viewer');
    expect((await (await viewer.global.openDoc(BOARD)).getAppLayout()).qTitle).toBe('Board Report');

    const creator = await openQix(engine.url, 'engineData', { authorization: `Bearer ${await mintToken({ sub: 'creator' }, { secret: SECRET })}` });
    open.push(creator);
    await expect(creator.global.openDoc(BOARD)).rejects.toMatchObject({ code: 5, message: 'Access denied' });
    // The refusal names nothing about existence: an unknown app is refused the same way.
    await expect(creator.global.openDoc('no-such-app')).rejects.toMatchObject({ code: 5 });
    expect(await creator.global.getDocList()).toEqual([]);
    expect((await sessions()).map((s) => [s.userid, s.appid, s.state]).sort()).toEqual([
      ['creator', '', 'active'],
      ['viewer', BOARD, 'active'],
    ]);
  });

  it('refuses SetAppProperties and SetScript to a caller without update, as REST does, and changes nothing; admin may', async () => {
    const viewerToken = await mintToken({ sub: 'viewer' }, { secret: SECRET });
    const rest = await fetch(`${engine.url}/v1/apps/${BOARD}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { name: 'Renamed' } }),
    });
    expect(rest.status).toBe(403);

    const viewer = await openQix(engine.url, 'engineData', { authorization: `Bearer ${viewerToken}` });
    open.push(viewer);
    const viewerDoc = await viewer.global.openDoc(BOARD);
    const properties = await viewerDoc.getAppProperties();
    const script = await viewerDoc.getScript();
    await expect(viewerDoc.setAppProperties({ ...properties, qTitle: 'Renamed' })).rejects.toMatchObject({ code: 5, message: 'Access denied' });
    await expect(viewerDoc.setScript('LOAD 1 AS x AUTOGENERATE 1;')).rejects.toMatchObject({ code: 5, message: 'Access denied' });
    expect(await viewerDoc.getAppProperties()).toEqual(properties);
    expect(await viewerDoc.getScript()).toBe(script);
    const asViewer = (await (await fetch(`${engine.url}/v1/apps/${BOARD}`, { headers: { authorization: `Bearer ${viewerToken}` } })).json()) as { attributes: { name: string } };
    expect(asViewer.attributes.name).toBe('Board Report');

    // A session app is the session's own: the viewer may change it.
    const sessionApp = await openQix(engine.url, 'engineData', { authorization: `Bearer ${viewerToken}` });
    open.push(sessionApp);
    const own = await sessionApp.global.createSessionApp();
    await own.setScript('LOAD 1 AS x AUTOGENERATE 1;');
    expect(await own.getScript()).toBe('LOAD 1 AS x AUTOGENERATE 1;');

    const adminToken = await mintToken({ sub: 'admin' }, { secret: SECRET });
    const admin = await openQix(engine.url, 'engineData', { authorization: `Bearer ${adminToken}` });
    open.push(admin);
    const adminDoc = await admin.global.openDoc(BOARD);
    await adminDoc.setAppProperties({ ...properties, qTitle: 'Renamed' });
    await adminDoc.setScript('LOAD 2 AS y AUTOGENERATE 1;');
    expect(await adminDoc.getScript()).toBe('LOAD 2 AS y AUTOGENERATE 1;');
    const asAdmin = (await (await fetch(`${engine.url}/v1/apps/${BOARD}`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { attributes: { name: string } };
    expect(asAdmin.attributes.name).toBe('Renamed');

    // The owner of an app holds update on it without a rule granting it.
    const creatorToken = await mintToken({ sub: 'creator' }, { secret: SECRET });
    const made = await fetch(`${engine.url}/v1/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { name: 'Mine' } }),
    });
    const mine = ((await made.json()) as { attributes: { id: string } }).attributes.id;
    const creator = await openQix(engine.url, 'engineData', { authorization: `Bearer ${creatorToken}` });
    open.push(creator);
    const creatorDoc = await creator.global.openDoc(mine);
    await creatorDoc.setAppProperties({ qTitle: 'Mine, renamed' });
    expect((await creatorDoc.getAppLayout()).qTitle).toBe('Mine, renamed');
  });
});

describe('fault rules on QIX paths', () => {
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', log: () => undefined });
  });

  it('refuses the upgrade with the rule status, then lets the next one through', async () => {
    await engine.setFaults([{ path: '/app/**', status: 503, count: 1 }]);
    const refused = await refusedUpgrade(`${engine.url.replace('http', 'ws')}/app/engineData`);
    expect(refused).toMatchObject({ status: 503, body: { errors: [expect.objectContaining({ code: 'INJECTED_FAULT' })] } });
    const client = await openQix(engine.url);
    open.push(client);
    expect(client.sessionState).toBe('SESSION_CREATED');
    const upgrades = (await engine.journal()).filter((e) => e.path === '/app/engineData' && e.method === 'GET');
    expect(upgrades.map((e) => e.status)).toEqual([503, 101]);
  });

  it('drops the upgrade when the rule says so: no status, journaled with the rule', async () => {
    await engine.setFaults([{ path: '/app/**', drop: true, count: 1 }]);
    const socket = new WebSocket(`${engine.url.replace('http', 'ws')}/app/engineData`);
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    const [upgrade] = (await engine.journal()).filter((e) => e.path === '/app/engineData');
    expect(upgrade).toMatchObject({ door: 'qix', fault: { drop: true } });
    expect(upgrade?.status).toBeUndefined();
  });

  it('matches rules against the path under the base path, as REST calls are', async () => {
    await engine.close();
    engine = await startEngineDouble({ scenario: 'default', basePath: '/api', log: () => undefined });
    await engine.setFaults([{ path: '/app/*', status: 503, count: 1 }]);
    expect((await refusedUpgrade(`${engine.url.replace('http', 'ws')}/app/engineData`)).status).toBe(503);
    const client = await openQix(engine.url);
    open.push(client);
    expect(client.sessionState).toBe('SESSION_CREATED');
  });

  it('closes the socket with a reason after N messages, and delays answers', async () => {
    const set = await fetch(`${engine.url}/__control/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ path: '/app/*', closeAfterMessages: 2, latencyMs: 20 }] }),
    });
    expect(set.status).toBe(200);
    const { socket, next } = await rawQix(engine.url);
    const closed = once(socket, 'close');
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, handle: -1, method: 'EngineVersion', params: [] }));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, handle: -1, method: 'ProductVersion', params: [] }));
    expect(await next()).toMatchObject({ id: 1, result: { qVersion: { qComponentVersion: '12.268.0' } } });
    expect(await next()).toMatchObject({ id: 2, result: { qReturn: '12.268.0' } });
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(1011);
    expect(reason.toString()).toMatch(/closes the socket after 2 messages/);
  });
});

describe('hostile input', () => {
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', log: () => undefined, qix: { maxMessageBytes: 1024, maxPendingAnswers: 5 } });
  });

  it('refuses a handshake ws cannot complete, and an upgrade that is no GET, in the error shape, journaled', async () => {
    const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' };
    const noKey = await rawRequest(engine.url, 'GET', '/app/engineData', undefined, upgrade);
    expect(noKey.status).toBe(400);
    expect(noKey.json()).toMatchObject({ errors: [{ code: 'MALFORMED_HTTP', detail: expect.stringMatching(/handshake is refused: .*Sec-WebSocket-Key/) }] });
    const post = await rawRequest(engine.url, 'POST', '/app/engineData', undefined, { ...upgrade, 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET']);
    expect(post.json()).toMatchObject({ errors: [{ code: 'METHOD_NOT_ALLOWED' }] });
    const upgrades = (await engine.journal()).filter((e) => e.door === 'qix');
    expect(upgrades.map((e) => [e.method, e.status])).toEqual([['GET', 400], ['POST', 405]]);
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });

  it('answers frames that are not JSON, not JSON-RPC, binary, or address an unknown handle with the engine protocol errors', async () => {
    const { socket, next } = await rawQix(engine.url);
    socket.send('not json');
    expect(await next()).toMatchObject({ id: null, error: { code: -32700, message: 'Parse error' } });
    socket.send(JSON.stringify([{ id: 1, handle: -1, method: 'EngineVersion' }]));
    expect(await next()).toMatchObject({ id: null, error: { code: -32600 } });
    socket.send(JSON.stringify({ id: 2, method: 'EngineVersion' }));
    expect(await next()).toMatchObject({ id: 2, error: { code: -32600, parameter: expect.stringMatching(/handle/) } });
    socket.send(Buffer.from('{"id":3}'), { binary: true });
    expect(await next()).toMatchObject({ error: { code: -32700 } });
    socket.send(JSON.stringify({ id: 4, handle: 7, method: 'GetAppLayout' }));
    expect(await next()).toMatchObject({ id: 4, error: { code: -32602, parameter: expect.stringMatching(/Invalid handle/) } });
    socket.send(JSON.stringify({ id: 5, handle: -1, method: 'OpenDoc', params: { qDocName: 1 } }));
    expect(await next()).toMatchObject({ id: 5, error: { code: -32602 } });
    socket.send(JSON.stringify({ id: 6, handle: -1, method: 'OpenDoc', params: [] }));
    expect(await next()).toMatchObject({ id: 6, error: { code: -32602, parameter: expect.stringMatching(/qDocName is missing/) } });
    socket.send(JSON.stringify({ id: 7, handle: -1, method: 'EngineVersion' }));
    expect(await next()).toMatchObject({ id: 7, result: { qVersion: { qComponentVersion: '12.268.0' } } });
    socket.close();
    const violations = await engine.violations();
    expect(violations).toHaveLength(7);
    expect(violations.every((entry) => entry.requestViolations[0]?.code === 'QIX_PROTOCOL_VIOLATION')).toBe(true);
    // The jest matcher names each QIX call.
    const verdict = await toHaveNoContractViolations(engine);
    expect(verdict.pass).toBe(false);
    expect(verdict.message()).toMatch(/QIX OpenDoc on handle -1 over \/app\/engineData → error -32602 Invalid parameters/);
  });

  it('closes on a frame over the limit (1009) and on a flood of waiting answers (1008), and keeps serving', async () => {
    const big = await rawQix(engine.url);
    const bigClosed = once(big.socket, 'close');
    big.socket.send('x'.repeat(2048));
    expect((await bigClosed)[0]).toBe(1009);

    await engine.setFaults([{ path: '/app/**', latencyMs: 1000 }]);
    const flood = await rawQix(engine.url);
    const floodClosed = once(flood.socket, 'close');
    for (let id = 1; id <= 10; id += 1) flood.socket.send(JSON.stringify({ id, handle: -1, method: 'EngineVersion' }));
    const [code, reason] = (await floodClosed) as [number, Buffer];
    expect(code).toBe(1008);
    expect(reason.toString()).toMatch(/floods/);
    await engine.clearFaults();

    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
    const client = await openQix(engine.url);
    open.push(client);
    expect(await client.global.engineVersion()).toEqual({ qComponentVersion: '12.268.0' });
  });

  it('journals the upgrade and each call with a ticket in the URL redacted', async () => {
    const client = await openQix(engine.url, 'engineData?qlikTicket=secret-ticket');
    open.push(client);
    await client.global.engineVersion();
    const paths = (await engine.journal()).map((e) => e.path);
    expect(paths).toContain('/app/engineData?qlikTicket=[REDACTED]');
    expect(paths.filter((path) => path.includes('secret-ticket'))).toEqual([]);
  });

  it('refuses a path that is no QIX path with 404, journaled as a violation', async () => {
    const refused = await refusedUpgrade(`${engine.url.replace('http', 'ws')}/v1/apps`);
    expect(refused.status).toBe(404);
    expect((await engine.violations()).map((e) => [e.method, e.path, e.status])).toEqual([['GET', '/v1/apps', 404]]);
  });
});

describe('a huge frame within the default frame limit', () => {
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', log: () => undefined });
  });

  it('answers a call with a huge method name and id in full, and journals them cut to a bounded length', async () => {
    const { socket, next } = await rawQix(engine.url);
    const id = 'i'.repeat(100_000);
    const method = 'M'.repeat(100_000);
    socket.send(JSON.stringify({ id, handle: -1, method }));
    const answer = await next();
    expect(answer).toMatchObject({ id, error: { code: -32601 } });
    expect(answer.error.parameter).toContain(method);
    socket.close();
    const [entry] = (await engine.journal()).filter((e) => e.method === 'QIX');
    expect(entry?.qix).toMatchObject({ method: expect.stringMatching(/^M{1023}…$/), requestId: expect.stringMatching(/^i{1023}…$/) });
    expect(entry?.qix?.error?.parameter).toHaveLength(1024);
    expect(JSON.stringify(entry).length).toBeLessThan(10_000);
  });

  it('answers a frame nested deeper than 64 levels with a parse error before decoding it, journaled as a violation, and keeps serving', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const setProperties = (id: number, qPropDepth: number) =>
      `{"jsonrpc":"2.0","id":${id},"handle":1,"method":"SetAppProperties","params":{"qProp":{"qTitle":"Deep","deep":${nested(qPropDepth)}}}}`;
    const { socket, next } = await rawQix(engine.url);
    socket.send(JSON.stringify({ id: 1, handle: -1, method: 'CreateSessionApp' }));
    const created = await next();
    expect(created).toMatchObject({ id: 1, result: { qReturn: { qHandle: 1 } } });
    // The frame, params and qProp are 3 levels: 62 more make 65.
    socket.send(setProperties(2, 62));
    expect(await next()).toMatchObject({ id: null, error: { code: -32700, message: 'Parse error', parameter: expect.stringMatching(/more than 64 levels deep at \/params\/qProp\/deep(\/0){61}$/) } });
    socket.send(JSON.stringify({ id: 3, handle: 1, method: 'GetAppProperties' }));
    expect((await next()).result.qProp).not.toHaveProperty('deep');
    socket.send(setProperties(4, 61));
    expect(await next()).toMatchObject({ id: 4, result: {} });
    socket.send(JSON.stringify({ id: 5, handle: 1, method: 'GetAppProperties' }));
    const stored = (await next()).result.qProp;
    expect([stored.qTitle, JSON.stringify(stored.deep)]).toEqual(['Deep', nested(61)]);
    // One 100k levels deep is refused the same way, without decoding it.
    socket.send(`{"id":6,"handle":-1,"method":"EngineVersion","params":${nested(100_000)}}`);
    expect(await next()).toMatchObject({ id: null, error: { code: -32700 } });
    socket.send(JSON.stringify({ id: 7, handle: -1, method: 'EngineVersion' }));
    expect(await next()).toMatchObject({ id: 7, result: { qVersion: { qComponentVersion: '12.268.0' } } });
    socket.close();
    const violations = await engine.violations();
    expect(violations.map((entry) => [entry.qix?.requestId, entry.requestViolations[0]?.code])).toEqual([
      [null, 'QIX_PROTOCOL_VIOLATION'],
      [null, 'QIX_PROTOCOL_VIOLATION'],
    ]);
  });
});
