/**
 * What a secured engine tells a caller about itself: privileges, ownership, sessions; and how
 * namespaces and scenario switches keep each world's own rules.
 */
import { mintToken } from '../../src/auth/mint';
import { NAMESPACE_HEADER } from '../../src/server';
import { loadScenario } from '../../src/scenarios/registry';
import { errorsOf, newDouble } from '../support/double';

const SECURED = loadScenario('secured');
const SECRET = SECURED.security?.jwt?.secret ?? '';
const BOARD = '5ec0a9e1-0000-4000-8000-000000000001';
const ALL = ['read', 'create', 'update', 'delete', 'reload', 'import', 'export', 'exportdata', 'publish', 'duplicate', 'approve'];

async function bearer(sub: string, claims: { groups?: string[]; tenantId?: string } = {}): Promise<string> {
  return `Bearer ${await mintToken({ sub, ...claims }, { secret: SECRET })}`;
}

describe('privileges reflect the caller', () => {
  const { http } = newDouble({ scenario: SECURED });

  it.each([
    ['admin', ['can_create_app', 'can_import_app']],
    ['creator', ['can_create_app', 'can_import_app']],
    ['viewer', []],
    ['stranger', []],
  ])('GET /v1/apps/privileges for %s lists %j', async (sub, items) => {
    const res = await http.get('/v1/apps/privileges').set('authorization', await bearer(sub as string));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(items);
  });

  it('an NxApp lists what the caller holds on it: everything for admin, read for a viewer, who may create nothing in it', async () => {
    const admin = await http.get(`/v1/apps/${BOARD}`).set('authorization', await bearer('admin'));
    expect(admin.body.privileges).toEqual(ALL);
    expect(admin.body.create).toContainEqual({ resource: '"sheet"', canCreate: true });
    const viewer = await http.get(`/v1/apps/${BOARD}`).set('authorization', await bearer('alice', { groups: ['viewers'] }));
    expect(viewer.body.privileges).toEqual(['read']);
    expect(viewer.body.create.every((c: { canCreate: boolean }) => !c.canCreate)).toBe(true);
  });

  it('an unsecured engine keeps granting every caller everything', async () => {
    const open = newDouble().http;
    expect((await open.get('/v1/apps/privileges')).body).toEqual(['can_create_app', 'can_import_app']);
    expect((await open.post('/v1/apps').send({})).body.privileges).toEqual(ALL);
  });
});

describe('the owner of what a caller makes is its sub', () => {
  const { http } = newDouble({ scenario: SECURED });

  it('creates, imports and copies apps owned by the caller, who then holds every action on them', async () => {
    const creator = await bearer('creator');
    const created = await http.post('/v1/apps').set('authorization', creator).send({ attributes: { name: 'Mine' } });
    const imported = await http
      .post('/v1/apps/import')
      .set('authorization', creator)
      .set('content-type', 'application/octet-stream')
      .send(Buffer.from(JSON.stringify({ attributes: { name: 'Imported', owner: 'someone-else' } })));
    const copied = await http.post(`/v1/apps/${BOARD}/copy`).set('authorization', await bearer('root', { groups: ['admins'] })).send({});
    expect([created.status, imported.status, copied.status]).toEqual([200, 200, 200]);
    expect([created.body.attributes.owner, imported.body.attributes.owner, copied.body.attributes.owner]).toEqual(['creator', 'creator', 'root']);
    expect(created.body.privileges).toEqual(ALL);
    expect(imported.body.privileges).toEqual(ALL);
  });
});

describe('sessions of live callers (trackSessions)', () => {
  it('adds and refreshes one session per user and X-Qlik-Session, with tenant and app, and none for refused calls', async () => {
    const { http, runtime } = newDouble({ scenario: SECURED });
    const viewer = await bearer('viewer', { tenantId: 'tenant-1' });
    await http.get(`/v1/apps/${BOARD}`).set('authorization', viewer).set('x-qlik-session', 'tab-1');
    await http.delete(`/v1/apps/${BOARD}`).set('authorization', viewer).set('x-qlik-session', 'tab-2');
    const res = await http.get('/sessions').set('authorization', viewer);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { sessionid: 'tab-1', userid: 'viewer', tenantid: 'tenant-1', ttl: 0, state: 'active', appid: BOARD },
      { sessionid: 'viewer', userid: 'viewer', tenantid: 'tenant-1', ttl: 0, state: 'active', appid: '' },
    ]);

    await http.get(`/v1/apps/${BOARD}/data/metadata`).set('authorization', viewer);
    const again = await http.get('/sessions').set('authorization', viewer);
    expect(again.body).toHaveLength(2);
    expect(again.body[1]).toMatchObject({ sessionid: 'viewer', appid: BOARD });
    expect(runtime.model().usage()).toMatchObject({ sessionTotal: 2, usersTotal: 1 });
  });

  it('refuses an X-Qlik-Session header over the limit, before anything changes', async () => {
    const { http, runtime } = newDouble({ scenario: SECURED });
    const res = await http.get(`/v1/apps/${BOARD}`).set('authorization', await bearer('viewer')).set('x-qlik-session', 'x'.repeat(257));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_PARAMETER', source: { header: 'x-qlik-session' } });
    expect(runtime.model().listSessions()).toEqual([]);
  });
});

describe('namespaces and scenario switches keep each world its own rules', () => {
  it('a namespace made from the secured scenario has its rules, and a refusal there changes no namespace', async () => {
    const { http, runtime } = newDouble({ scenario: SECURED });
    const creator = await bearer('creator');
    const created = await http.post('/v1/apps').set('authorization', creator).send({ attributes: { name: 'In a' } }).set(NAMESPACE_HEADER, 'a');
    const id = created.body.attributes.id as string;
    const a = runtime.model('a').toScenario();
    const b = runtime.model('b').toScenario();

    const inB = await http.get(`/v1/apps/${id}`).set('authorization', creator).set(NAMESPACE_HEADER, 'b');
    const viewerDeletes = await http.delete(`/v1/apps/${BOARD}`).set('authorization', await bearer('viewer')).set(NAMESPACE_HEADER, 'b');
    const noToken = await http.post('/v1/apps').send({}).set(NAMESPACE_HEADER, 'b');
    expect([inB.status, viewerDeletes.status, noToken.status]).toEqual([403, 403, 401]);
    expect(runtime.model('a').toScenario()).toEqual(a);
    expect(runtime.model('b').toScenario()).toEqual(b);
    expect((await http.get(`/v1/apps/${id}`).set('authorization', creator).set(NAMESPACE_HEADER, 'a')).status).toBe(200);
  });

  it('a scenario switch brings the rules of the new scenario to its namespace only', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const toEmpty = await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'open').send({ name: 'empty' });
    expect(toEmpty.status).toBe(200);
    expect((await http.post('/v1/apps').send({}).set(NAMESPACE_HEADER, 'open')).status).toBe(200);
    expect((await http.post('/v1/apps').send({})).status).toBe(401);

    expect((await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'open').send({ name: 'secured' })).status).toBe(200);
    expect((await http.post('/v1/apps').send({}).set(NAMESPACE_HEADER, 'open')).status).toBe(401);
    const viewerDeletes = await http.delete(`/v1/apps/${BOARD}`).set('authorization', await bearer('viewer')).set(NAMESPACE_HEADER, 'open');
    expect(viewerDeletes.status).toBe(403);
  });

  it('an exported state carries its rules, so restoring it elsewhere restores them', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const exported = await http.get('/__control/state');
    expect(exported.status).toBe(200);
    expect(exported.body.security).toEqual(SECURED.security);
    expect((await http.put('/__control/scenario').set(NAMESPACE_HEADER, 'copy').send({ name: 'empty' })).status).toBe(200);
    expect((await http.put('/__control/state').set(NAMESPACE_HEADER, 'copy').send(exported.body)).status).toBe(204);
    expect((await http.get(`/v1/apps/${BOARD}`).set(NAMESPACE_HEADER, 'copy')).status).toBe(401);
    expect((await http.delete(`/v1/apps/${BOARD}`).set('authorization', await bearer('viewer')).set(NAMESPACE_HEADER, 'copy')).status).toBe(403);
    expect((await http.get(`/v1/apps/${BOARD}`).set('authorization', await bearer('viewer')).set(NAMESPACE_HEADER, 'copy')).status).toBe(200);
  });

  it('refuses a restored state whose security section cannot work, and keeps the world', async () => {
    const { http } = newDouble({ scenario: SECURED });
    const before = (await http.get('/__control/state')).body;
    const broken = { ...before, security: { jwt: { validate: 'signed' } } };
    const res = await http.put('/__control/state').send(broken);
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)[0]).toMatchObject({ code: 'INVALID_SCENARIO', source: { pointer: '/security/jwt/validate' } });
    expect((await http.get('/__control/state')).body).toEqual(before);
  });
});
