/**
 * The jest globalSetup against a sidecar (ENGINE_DOUBLE_URL set beforehand): the run's scenario
 * and seed reach the sidecar through the control API, a scenario document is registered first, and
 * options only a start can set are named once on stderr instead of being dropped silently.
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { createGlobalSetup, ENGINE_DOUBLE_ENV } from '../../src/jest';

let sidecar: EngineDouble;
let written: string[];
let restore: () => void;

beforeEach(async () => {
  sidecar = await startEngineDouble({ scenario: 'default', controlToken: 'side', log: () => undefined });
  process.env[ENGINE_DOUBLE_ENV.url] = sidecar.url;
  process.env[ENGINE_DOUBLE_ENV.controlToken] = 'side';
  written = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((text: string | Uint8Array) => {
    written.push(String(text));
    return true;
  });
  restore = () => spy.mockRestore();
});

afterEach(async () => {
  restore();
  delete process.env[ENGINE_DOUBLE_ENV.url];
  delete process.env[ENGINE_DOUBLE_ENV.controlToken];
  await sidecar.close();
});

describe('globalSetup with a sidecar', () => {
  it("switches the sidecar to the config's scenario with its seed, and names the options it cannot apply", async () => {
    await createGlobalSetup()(undefined, { globals: { engineDouble: { scenario: 'busy', seed: 3, validation: 'warn', port: 9999 } } });
    expect((await sidecar.scenarios()).current).toMatchObject({ name: 'busy', seed: 3 });
    expect(written).toEqual([`qlik-engine-double: ${ENGINE_DOUBLE_ENV.url} names a running double, so port, validation cannot apply (set them where that double is started)\n`]);
  });

  it('applies a seed alone to the scenario the sidecar runs, and says nothing when all applied', async () => {
    await createGlobalSetup()(undefined, { globals: { engineDouble: { seed: 11 } } });
    expect((await sidecar.scenarios()).current).toMatchObject({ name: 'default', seed: 11 });
    expect(written).toEqual([]);
  });

  it('registers a scenario given as a document, then switches to it', async () => {
    await createGlobalSetup({ scenario: { name: 'from-setup', apps: [{ attributes: { name: 'Only' } }] } })();
    expect((await sidecar.scenarios()).current.name).toBe('from-setup');
    expect((await sidecar.state()).apps?.map((app) => app.attributes?.name)).toEqual(['Only']);
  });

  it('leaves the sidecar as it is when the run names neither scenario nor seed', async () => {
    await sidecar.useScenario('empty');
    await createGlobalSetup()(undefined, {});
    expect((await sidecar.scenarios()).current.name).toBe('empty');
  });

  it('fails the run, saying why, when the sidecar refuses the scenario', async () => {
    await expect(createGlobalSetup()(undefined, { globals: { engineDouble: { scenario: 'nope' } } })).rejects.toThrow(/no scenario named "nope"/);
  });
});
