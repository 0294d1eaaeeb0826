/**
 * The real enigma.js client (its published 12.x schema) against the double's QIX door: every step
 * checks that GET /sessions agrees with the sockets open at that moment.
 */
import { once } from 'node:events';
import { ANONYMOUS_IDENTITY } from '../../src/auth/identity';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { loadScenario } from '../../src/scenarios/registry';
import type { ScenarioDocument } from '../../src/scenarios/types';
import { openQix, type QixClient } from '../support/qix';

const SALES = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';
const INVENTORY = 'c4d8a1f6-5e2b-4f7c-8d9a-1b3e6f0a2c57';

/** The default scenario without its fixture sessions, and with a QIX side on Sales Overview. */
function scenario(): ScenarioDocument {
  const base = loadScenario('default');
  return {
    ...base,
    name: 'qix',
    sessions: [],
    apps: (base.apps ?? []).map((app) =>
      app.attributes.id === SALES ? { ...app, qix: { layout: { qHasData: true, qLocaleInfo: { qDecimalSep: ',' } }, properties: { sheetTitleBgColor: '#fff' }, script: 'LOAD 1 AS x AUTOGENERATE 1;' } } : app,
    ),
  };
}

let engine: EngineDouble;
const open: QixClient[] = [];

async function connect(path?: string, headers?: Record<string, string>): Promise<QixClient> {
  const client = await openQix(engine.url, path, headers);
  open.push(client);
  return client;
}

async function sessions(headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  return (await (await fetch(`${engine.url}/sessions`, { headers })).json()) as Record<string, unknown>[];
}

async function rest(path: string): Promise<Record<string, any>> {
  return (await (await fetch(`${engine.url}${path}`)).json()) as Record<string, any>;
}

beforeEach(async () => {
  engine = await startEngineDouble({ scenario: scenario(), log: () => undefined });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  await engine.close();
});

it('connects with OnConnected SESSION_CREATED, answers the Global methods and lists the session', async () => {
  expect(await sessions()).toEqual([]);
  const { global, sessionState } = await connect();
  expect(sessionState).toBe('SESSION_CREATED');
  expect(await global.engineVersion()).toEqual({ qComponentVersion: '12.268.0' });
  expect(await global.productVersion()).toBe('12.268.0');
  expect(await global.isDesktopMode()).toBe(false);
  expect(await global.getAuthenticatedUser()).toBe(ANONYMOUS_IDENTITY.sub);
  expect(typeof (await global.getUniqueID())).toBe('string');
  const docs = (await global.getDocList()) as Record<string, any>[];
  expect(docs.map((d) => d.qDocId)).toEqual((scenario().apps ?? []).map((a) => a.attributes.id));
  expect(docs.find((d) => d.qDocId === SALES)).toMatchObject({ qTitle: 'Sales Overview', qDocName: SALES });
  const listed = await sessions();
  expect(listed).toEqual([expect.objectContaining({ userid: ANONYMOUS_IDENTITY.sub, appid: '', state: 'active', ttl: 0 })]);
  const health = await rest('/healthcheck');
  expect(health.session).toEqual({ active: 1, total: 1 });
  expect(health.users).toEqual({ active: 1, total: 1 });
});

it('opens a scenario app whose layout and properties match its REST attributes', async () => {
  const { global } = await connect();
  const doc = await global.openDoc(SALES);
  expect(doc.id).toBe(SALES);
  const { attributes } = await rest(`/v1/apps/${SALES}`);
  const layout = await doc.getAppLayout();
  expect(layout).toMatchObject({
    qTitle: attributes.name,
    qFileName: SALES,
    qLastReloadTime: attributes.lastReloadTime,
    qThumbnail: { qUrl: attributes.thumbnail },
    description: attributes.description,
    qHasData: true, // from the scenario's qix.layout
    qLocaleInfo: { qDecimalSep: ',' },
    qIsOpenedWithoutData: false,
  });
  expect(await doc.getAppProperties()).toMatchObject({ qTitle: attributes.name, description: attributes.description, sheetTitleBgColor: '#fff' });
  expect(await doc.getScript()).toBe('LOAD 1 AS x AUTOGENERATE 1;');
  const health = await rest('/healthcheck');
  expect(health.apps.active_docs).toEqual([SALES]);
  expect(await sessions()).toEqual([expect.objectContaining({ appid: SALES, state: 'active' })]);

  await doc.setAppProperties({ ...(await doc.getAppProperties()), qTitle: 'Sales Overview 2', description: 'Renamed over QIX' });
  expect((await rest(`/v1/apps/${SALES}`)).attributes).toMatchObject({ name: 'Sales Overview 2', description: 'Renamed over QIX' });
  expect(await doc.getAppLayout()).toMatchObject({ qTitle: 'Sales Overview 2' });
  await doc.setScript('LOAD 2 AS y AUTOGENERATE 1;');
  expect(await doc.getScript()).toBe('LOAD 2 AS y AUTOGENERATE 1;');
  await expect(doc.doSave()).resolves.toEqual({});
  // The exported state holds what QIX changed, so a restore brings it back.
  const state = await engine.state();
  expect(state.apps?.find((a) => a.attributes.id === SALES)?.qix).toMatchObject({ script: 'LOAD 2 AS y AUTOGENERATE 1;', properties: { sheetTitleBgColor: '#fff' } });
});

it('answers GetTablesAndKeys from the data model, honours qNoData, and refuses a second app or an unknown one', async () => {
  const { global } = await connect();
  await expect(global.openDoc('no-such-app')).rejects.toMatchObject({ code: 1003, message: 'App not found', parameter: 'no-such-app' });
  const doc = await global.openDoc(INVENTORY, '', '', '', true);
  const { qtr, qk } = await doc.getTablesAndKeys({ qcx: 0, qcy: 0 }, { qcx: 0, qcy: 0 }, 0, false, false);
  const metadata = await rest(`/v1/apps/${INVENTORY}/data/metadata`);
  expect(qtr.map((t: { qName: string }) => t.qName)).toEqual(metadata.tables.map((t: { name: string }) => t.name));
  expect(qtr[0]).toMatchObject({ qName: 'StockLevels', qNoOfRows: 48210 });
  expect(qk).toEqual([
    { qKeyFields: ['ProductID'], qTables: ['StockLevels', 'Products'] },
    { qKeyFields: ['WarehouseID'], qTables: ['StockLevels', 'Warehouses'] },
  ]);
  expect(await doc.getAppLayout()).toMatchObject({ qHasData: false, qIsOpenedWithoutData: true });
  await expect(global.openDoc(SALES)).rejects.toMatchObject({ code: 1002 });
  expect((await global.getActiveDoc()).id).toBe(INVENTORY);
});

it('creates a session app that lives as long as its session', async () => {
  const client = await connect('engineData/ttl/0');
  const app = await client.global.createSessionApp();
  expect(app.id).toMatch(/^SessionApp_/);
  await app.setScript('LOAD 1 AS a AUTOGENERATE 1;');
  expect(await app.getScript()).toBe('LOAD 1 AS a AUTOGENERATE 1;');
  expect(await app.getAppLayout()).toMatchObject({ qTitle: app.id, qIsSessionApp: true });
  expect(await sessions()).toEqual([expect.objectContaining({ appid: app.id, state: 'active' })]);
  expect((await rest('/healthcheck')).apps.loaded_docs).toEqual([app.id]);
  expect((await client.global.getDocList()).map((d: { qDocId: string }) => d.qDocId)).not.toContain(app.id);
  const ended = once(engine.runtime.model().liveSessions, 'ended');
  await client.close();
  open.splice(open.indexOf(client), 1);
  await ended; // TTL 0: the session ends with its socket
  expect(await sessions()).toEqual([]);
  expect((await rest('/healthcheck')).apps.loaded_docs).toEqual([]);
});

it('reattaches the same user with the same X-Qlik-Session within the TTL, with the app still open', async () => {
  const headers = { 'X-Qlik-Session': 'prep-1' };
  const first = await connect('engineData/ttl/60', headers);
  const doc = await first.global.openDoc(SALES);
  await first.close();
  open.splice(open.indexOf(first), 1);
  expect(await sessions()).toEqual([expect.objectContaining({ sessionid: 'prep-1', appid: SALES, ttl: 60, state: 'stalled' })]);
  expect((await rest('/healthcheck')).session).toEqual({ active: 0, total: 1 });

  const again = await connect('engineData/ttl/60', headers);
  expect(again.sessionState).toBe('SESSION_ATTACHED');
  const active = await again.global.getActiveDoc();
  expect(active).toMatchObject({ id: SALES, handle: doc.handle });
  expect(await sessions()).toEqual([expect.objectContaining({ sessionid: 'prep-1', state: 'active' })]);

  const other = await connect('engineData', { 'X-Qlik-Session': 'prep-2' });
  expect(other.sessionState).toBe('SESSION_CREATED');
  expect((await sessions()).map((s) => s.sessionid).sort()).toEqual(['prep-1', 'prep-2']);
});

it('ends a stalled session when its TTL runs out; the same header then makes a new session', async () => {
  const headers = { 'X-Qlik-Session': 'short' };
  const first = await connect('engineData/ttl/1', headers);
  await first.global.openDoc(SALES);
  const ended = once(engine.runtime.model().liveSessions, 'ended');
  await first.close();
  open.splice(open.indexOf(first), 1);
  expect(await sessions()).toEqual([expect.objectContaining({ sessionid: 'short', ttl: 1, state: 'stalled' })]);
  await ended;
  expect(await sessions()).toEqual([]);
  expect((await rest('/healthcheck')).session).toEqual({ active: 0, total: 0 });
  const again = await connect('engineData/ttl/1', headers);
  expect(again.sessionState).toBe('SESSION_CREATED');
  await expect(again.global.getActiveDoc()).rejects.toMatchObject({ code: 1007 });
});

it('answers an unknown method with the engine error -32601 and journals it as a violation', async () => {
  const { session, global } = await connect();
  // enigma.js's send() (untyped in its d.ts) sends any request on the socket.
  const send = (session as unknown as { send(request: object): Promise<unknown> }).send.bind(session);
  await expect(send({ handle: -1, method: 'NoSuchMethod', params: [] })).rejects.toMatchObject({ code: -32601, message: 'Method not found' });
  // In the schema but not answered by the double: the same error, and no violation of the client's.
  await expect(global.getStreamList()).rejects.toMatchObject({ code: -32601 });
  const violations = await engine.violations();
  expect(violations).toEqual([expect.objectContaining({ method: 'QIX', qix: expect.objectContaining({ method: 'NoSuchMethod', handle: -1 }) })]);
  const journal = await engine.journal();
  expect(journal.filter((e) => e.qix).map((e) => e.qix!.method)).toEqual(['NoSuchMethod', 'GetStreamList']);
  // Over HTTP the control API's own contract checks the QIX entries (a breach would be a 500 in strict mode).
  const page = await fetch(`${engine.url}/__control/violations`);
  expect(page.status).toBe(200);
  expect(((await page.json()) as { entries: { qix?: unknown }[] }).entries[0]?.qix).toMatchObject({ method: 'NoSuchMethod', error: { code: -32601 } });
});

it('keeps namespaces apart: a socket with the namespace header is a session of that world only', async () => {
  await connect('engineData', { 'x-engine-double-namespace': 'worker-1' });
  expect(await sessions({ 'x-engine-double-namespace': 'worker-1' })).toHaveLength(1);
  expect(await sessions()).toEqual([]);
});
