/**
 * The secured scenario's role matrix: every app operation of the contract × every role, with the
 * status each gets. A refusal leaves the world exactly as it was; a 200 did what it says.
 */
import type { Test } from 'supertest';
import { mintToken } from '../../src/auth/mint';
import { loadScenario } from '../../src/scenarios/registry';
import type { ScenarioDocument } from '../../src/scenarios/types';
import { errorsOf, newDouble } from '../support/double';

const SECURED = loadScenario('secured');
const SECRET = SECURED.security?.jwt?.secret ?? '';
const BOARD = '5ec0a9e1-0000-4000-8000-000000000001';
const APP_DOCUMENT = JSON.stringify({ attributes: { name: 'Imported' } });

type Send = (http: ReturnType<typeof newDouble>['http']) => Test;

interface OperationCase {
  operation: string;
  permission: string;
  send: Send;
}

const json = (test: Test, body: unknown) => test.send(body as object);
const octets = (test: Test, body: string) => test.set('content-type', 'application/octet-stream').send(Buffer.from(body));

/** Every operation of the contract that names a permission, on admin's Board Report where it takes an app. */
const OPERATIONS: OperationCase[] = [
  { operation: 'POST /v1/apps', permission: 'create', send: (h) => json(h.post('/v1/apps'), { attributes: { name: 'New' } }) },
  { operation: 'POST /v1/apps/import', permission: 'import', send: (h) => octets(h.post('/v1/apps/import'), APP_DOCUMENT) },
  { operation: 'GET /v1/apps/privileges', permission: 'read', send: (h) => h.get('/v1/apps/privileges') },
  { operation: 'GET /v1/apps/{appId}', permission: 'read', send: (h) => h.get(`/v1/apps/${BOARD}`) },
  { operation: 'PUT /v1/apps/{appId}', permission: 'update', send: (h) => json(h.put(`/v1/apps/${BOARD}`), { attributes: { name: 'Renamed' } }) },
  { operation: 'DELETE /v1/apps/{appId}', permission: 'delete', send: (h) => h.delete(`/v1/apps/${BOARD}`) },
  { operation: 'POST /v1/apps/{appId}/copy', permission: 'duplicate', send: (h) => json(h.post(`/v1/apps/${BOARD}/copy`), { attributes: { name: 'Copy' } }) },
  { operation: 'GET /v1/apps/{appId}/data/metadata', permission: 'read', send: (h) => h.get(`/v1/apps/${BOARD}/data/metadata`) },
  { operation: 'GET /v1/apps/{appId}/media/files/{path}', permission: 'read', send: (h) => h.get(`/v1/apps/${BOARD}/media/files/notes/readme.txt`) },
  { operation: 'PUT /v1/apps/{appId}/media/files/{path}', permission: 'update', send: (h) => octets(h.put(`/v1/apps/${BOARD}/media/files/notes/new.txt`), 'new') },
  { operation: 'DELETE /v1/apps/{appId}/media/files/{path}', permission: 'update', send: (h) => h.delete(`/v1/apps/${BOARD}/media/files/notes/readme.txt`) },
  { operation: 'GET /v1/apps/{appId}/media/list/{path}', permission: 'read', send: (h) => h.get(`/v1/apps/${BOARD}/media/list/notes`) },
  { operation: 'GET /v1/apps/{appId}/media/thumbnail', permission: 'read', send: (h) => h.get(`/v1/apps/${BOARD}/media/thumbnail`) },
  { operation: 'PUT /v1/apps/{appId}/publish', permission: 'publish', send: (h) => json(h.put(`/v1/apps/${BOARD}/publish`), { stream: 'all' }) },
  { operation: 'PUT /v1/apps/{appId}/unpublish', permission: 'publish', send: (h) => h.put(`/v1/apps/${BOARD}/unpublish`) },
];

interface Role {
  name: string;
  /** The Authorization header, or none. */
  token?: () => Promise<string>;
  /** Authentication optional instead of the scenario's required. */
  optional?: boolean;
  /** The permissions it holds on admin's apps (200); the others answer `otherwise`. */
  allowed: string[];
  otherwise: 401 | 403;
}

const signed = (sub: string, groups?: string[]) => () => mintToken({ sub, ...(groups ? { groups } : {}) }, { secret: SECRET });

const ROLES: Role[] = [
  { name: 'admin', token: signed('admin'), allowed: ['create', 'import', 'read', 'update', 'delete', 'duplicate', 'publish'], otherwise: 403 },
  { name: 'admins group member', token: signed('root', ['admins']), allowed: ['create', 'import', 'read', 'update', 'delete', 'duplicate', 'publish'], otherwise: 403 },
  { name: 'creator', token: signed('creator'), allowed: ['create', 'import'], otherwise: 403 },
  { name: 'viewer', token: signed('viewer'), allowed: ['read'], otherwise: 403 },
  { name: 'viewers group member', token: signed('alice', ['viewers']), allowed: ['read'], otherwise: 403 },
  { name: 'user without rules', token: signed('stranger'), allowed: [], otherwise: 403 },
  { name: 'anonymous (authentication optional)', optional: true, allowed: [], otherwise: 403 },
  { name: 'no token (authentication required)', allowed: [], otherwise: 401 },
];

function scenarioFor(role: Role): ScenarioDocument {
  return role.optional ? { ...SECURED, security: { ...SECURED.security, authentication: 'optional' } } : SECURED;
}

/** GET /v1/apps/privileges needs "read" of no app: every admitted caller (one not refused with 401) may ask it. */
function expectedStatus(role: Role, { operation, permission }: OperationCase): number {
  if (operation === 'GET /v1/apps/privileges') return role.otherwise === 401 ? 401 : 200;
  return role.allowed.includes(permission) ? 200 : role.otherwise;
}

const CASES = ROLES.flatMap((role) => OPERATIONS.map((op) => ({ role, op, status: expectedStatus(role, op) })));

describe('secured scenario: operations × roles', () => {
  it('covers every operation of the contract that names a permission', () => {
    const { runtime } = newDouble({ scenario: SECURED });
    const withPermission = runtime.contract.engineOperations.filter((op) => op.permission).map((op) => [op.id, op.permission]);
    expect(OPERATIONS.map((op) => [op.operation, op.permission]).sort()).toEqual(withPermission.sort());
  });

  it.each(CASES.map((c) => [c.role.name, c.op.operation, c.status, c]))('%s: %s answers %i', async (_role, _op, status, { role, op }) => {
    const { http, runtime } = newDouble({ scenario: scenarioFor(role) });
    const before = runtime.model().toScenario();
    let request = op.send(http);
    if (role.token) request = request.set('authorization', `Bearer ${await role.token()}`);
    const res = await request;

    expect(res.status).toBe(status);
    if (status === 200) {
      // What a 200 says happened did: reads leave the apps as they were, the rest change them.
      const apps = (world: ScenarioDocument) => world.apps;
      if (op.operation.startsWith('GET ')) expect(apps(runtime.model().toScenario())).toEqual(apps(before));
      else expect(apps(runtime.model().toScenario())).not.toEqual(apps(before));
      // An NxApp answer reports the caller's privileges on it, which include the one this call needed.
      const { privileges } = res.body as { privileges?: string[] };
      if (privileges !== undefined && op.permission !== 'create') expect(privileges).toContain(op.permission);
      return;
    }
    const [error] = errorsOf(res.body);
    if (status === 401) {
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: '401', meta: { reason: 'missing' } });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="qlik-engine-double"');
    } else {
      expect(error).toMatchObject({ code: 'FORBIDDEN', status: '403', meta: { missing: op.permission } });
      expect(error?.detail).toContain(`"${op.permission}"`);
    }
    expect(runtime.model().toScenario()).toEqual(before);
  });
});

describe('secured scenario: what a creator owns', () => {
  it('lets a creator do everything on the apps it creates, copies nothing of others, and still not touch admin apps', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const auth = `Bearer ${await mintToken({ sub: 'creator' }, { secret: SECRET })}`;
    const created = await http.post('/v1/apps').set('authorization', auth).send({ attributes: { name: 'Mine' } });
    expect(created.status).toBe(200);
    const id = created.body.attributes.id as string;
    expect(created.body.attributes.owner).toBe('creator');

    const own = [
      http.get(`/v1/apps/${id}`),
      http.put(`/v1/apps/${id}`).send({ attributes: { name: 'Still mine' } }),
      http.put(`/v1/apps/${id}/publish`).send({ stream: 's' }),
      http.put(`/v1/apps/${id}/unpublish`),
      http.put(`/v1/apps/${id}/media/files/a.txt`).set('content-type', 'application/octet-stream').send(Buffer.from('a')),
      http.post(`/v1/apps/${id}/copy`).send({ attributes: { name: 'Copy of mine' } }),
    ];
    for (const request of own) expect((await request.set('authorization', auth)).status).toBe(200);
    expect((await http.delete(`/v1/apps/${id}`).set('authorization', auth)).status).toBe(200);

    const copyOfBoard = await http.post(`/v1/apps/${BOARD}/copy`).set('authorization', auth).send({});
    expect(copyOfBoard.status).toBe(403);
    expect(errorsOf(copyOfBoard.body)[0]).toMatchObject({ meta: { missing: 'duplicate', appId: BOARD }, source: { parameter: 'appId' } });
  });

  it('answers 403, not 404, for an app id the caller holds nothing on, so existence is not revealed', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const auth = `Bearer ${await mintToken({ sub: 'creator' }, { secret: SECRET })}`;
    const existing = await http.get(`/v1/apps/${BOARD}`).set('authorization', auth);
    const missing = await http.get('/v1/apps/no-such-app').set('authorization', auth);
    expect([existing.status, missing.status]).toEqual([403, 403]);
    const admin = `Bearer ${await mintToken({ sub: 'admin' }, { secret: SECRET })}`;
    const adminMissing = await http.get('/v1/apps/no-such-app').set('authorization', admin);
    expect(adminMissing.status).toBe(404);
    expect(errorsOf(adminMissing.body)[0]?.code).toBe('APP_NOT_FOUND');
  });
});
