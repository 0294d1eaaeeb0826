/**
 * How a user tests their engine client against the double: one double for the file, a known
 * world before each test, and a final check that nothing the client sent or was sent broke the
 * engine's contract. Written as a user would, against the package's public API.
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import '../../src/jest/matchers';
import { EngineClient, EngineRequestError } from './engine-client';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

let engine: EngineDouble;
let client: EngineClient;

beforeAll(async () => {
  engine = await startEngineDouble({ port: 0, scenario: 'default', seed: 1, validation: 'strict', log: () => undefined });
  client = new EngineClient({ baseUrl: engine.url });
});

// Every test starts from the same world, with no faults.
beforeEach(async () => {
  await engine.useScenario('default');
  await engine.clearFaults();
});

afterAll(async () => {
  await expect(engine).toHaveNoContractViolations();
  await engine.close();
});

describe('EngineClient', () => {
  it('creates an app and reads it back', async () => {
    const created = await client.createApp('Quarterly Review', 'Numbers for the board');
    expect(created).toMatchObject({ name: 'Quarterly Review', description: 'Numbers for the board' });
    expect(await client.getApp(created.id)).toMatchObject({ id: created.id, name: 'Quarterly Review' });
  });

  it("renames an app the scenario holds", async () => {
    expect(await client.renameApp(SALES_OVERVIEW, 'Sales 2024')).toMatchObject({ id: SALES_OVERVIEW, name: 'Sales 2024' });
    expect((await client.getApp(SALES_OVERVIEW)).name).toBe('Sales 2024');
  });

  it('starts each test from the scenario: the rename of the test before is gone', async () => {
    expect((await client.getApp(SALES_OVERVIEW)).name).toBe('Sales Overview');
  });

  it('loses what it made when the world is reset', async () => {
    const app = await client.createApp('Draft');
    await engine.reset();
    await expect(client.getApp(app.id)).rejects.toMatchObject({ status: 404 });
  });

  it('uploads media into folders and lists it', async () => {
    const app = await client.createApp('With media');
    await client.uploadMedia(app.id, 'images/logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    await client.uploadMedia(app.id, 'notes/read me.txt', new TextEncoder().encode('hello'));
    expect(await client.listMedia(app.id)).toEqual(expect.arrayContaining(['images/logo.png', 'notes/read me.txt']));
  });

  it('deletes an app, after which reading it is an error the client reports with its status', async () => {
    const app = await client.createApp('Short-lived');
    await client.deleteApp(app.id);
    const error: unknown = await client.getApp(app.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineRequestError);
    expect((error as EngineRequestError).status).toBe(404);
  });

  it('reports an app the engine does not hold, in a world without apps', async () => {
    await engine.useScenario('empty');
    await expect(client.getApp(SALES_OVERVIEW)).rejects.toMatchObject({ status: 404 });
  });

  it('reports a failing engine with its status, then recovers with it', async () => {
    await engine.setFaults([{ method: 'GET', path: '/v1/apps/*', status: 503, count: 1 }]);
    await expect(client.getApp(SALES_OVERVIEW)).rejects.toMatchObject({ status: 503 });
    expect((await client.getApp(SALES_OVERVIEW)).name).toBe('Sales Overview');
  });
});
