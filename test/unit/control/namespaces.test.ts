/** A namespace's world replacements: one that builds in slices never undoes a later one, and a failed one changes nothing. */
import { Namespaces, type WorldBuilder } from '../../../src/control/namespaces';
import type { ScenarioDocument } from '../../../src/scenarios/types';
import { EngineModel } from '../../../src/state/engine';

/** A builder whose `prepare` of a scenario named "slow" finishes only when the test says so. */
function builder(): { build: WorldBuilder; finishSlow: () => void } {
  let finishSlow = () => undefined as void;
  const slow = new Promise<void>((resolve) => {
    finishSlow = resolve;
  });
  return {
    build: { world: (scenario) => EngineModel.fromScenario(scenario), prepare: (scenario) => (scenario.name === 'slow' ? slow : Promise.resolve()) },
    finishSlow: () => finishSlow(),
  };
}

const named = (name: string): ScenarioDocument => ({ name });
const prepared = (name: string) => () => Promise.resolve(named(name));

describe('world replacements that build in slices', () => {
  it.each([
    ['a later switch', (namespaces: Namespaces) => namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('fast'), change: 'switch' }])],
    ['a later reset', (namespaces: Namespaces) => namespaces.get('worker').reset()],
    ['a later restore', (namespaces: Namespaces) => namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('restored'), change: 'restore' }])],
  ])('do not undo %s that finished first', async (_what, later) => {
    const { build, finishSlow } = builder();
    const namespaces = new Namespaces(named('start'), build);
    const namespace = namespaces.get('worker');
    const slowSwitch = namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('slow'), change: 'switch' }]);
    await later(namespaces);
    const after = namespace.model;
    finishSlow();
    expect((await slowSwitch)[0]!.placed).toBe(false);
    expect(namespace.model).toBe(after);
    expect(namespace.scenario.name).not.toBe('slow');
  });

  it('lets a reset made while a switch still prepares its document win (the switch holds its ticket from its start)', async () => {
    const { build } = builder();
    const namespaces = new Namespaces(named('start'), build);
    const namespace = namespaces.get('worker');
    let finishPreparing: (document: ScenarioDocument) => void = () => undefined;
    const preparing = new Promise<ScenarioDocument>((resolve) => {
      finishPreparing = resolve;
    });
    const slowSwitch = namespaces.replaceInSlices([{ namespace: 'worker', document: () => preparing, change: 'switch' }]);
    namespace.reset();
    const reset = namespace.model;
    finishPreparing(named('generated'));
    expect((await slowSwitch)[0]!.placed).toBe(false);
    expect(namespace.model).toBe(reset);
    expect(namespace.scenario.name).toBe('start');
  });

  it('switches when nothing came after it; a restore keeps the scenario reset goes back to', async () => {
    const { build, finishSlow } = builder();
    const namespaces = new Namespaces(named('start'), build);
    const slowSwitch = namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('slow'), change: 'switch' }]);
    finishSlow();
    expect((await slowSwitch)[0]!.placed).toBe(true);
    const namespace = namespaces.get('worker');
    expect(namespace.scenario.name).toBe('slow');
    await namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('restored'), change: 'restore' }]);
    expect(namespace.model.toScenario().name).toBe('restored');
    expect(namespace.scenario.name).toBe('slow');
  });

  it('lets a slow switch that started earlier win over a later replacement that failed', async () => {
    const { build, finishSlow } = builder();
    const namespaces = new Namespaces(named('start'), build);
    const namespace = namespaces.get('worker');
    const slowSwitch = namespaces.replaceInSlices([{ namespace: 'worker', document: prepared('slow'), change: 'switch' }]);
    await expect(namespaces.replaceInSlices([{ namespace: 'worker', document: () => Promise.reject(new Error('a bad document')), change: 'restore' }])).rejects.toThrow('a bad document');
    finishSlow();
    await slowSwitch;
    expect(namespace.scenario.name).toBe('slow');
  });

  it('makes no namespace and changes none when one document of many fails', async () => {
    const { build } = builder();
    const namespaces = new Namespaces(named('start'), build);
    const existing = namespaces.get('existing');
    const before = existing.model;
    const replacing = namespaces.replaceInSlices([
      { namespace: existing, document: prepared('fine'), change: 'switch' },
      { namespace: 'new', document: () => Promise.reject(new Error('a bad document')), change: 'switch' },
    ]);
    await expect(replacing).rejects.toThrow('a bad document');
    expect(existing.model).toBe(before);
    expect(namespaces.list().map((ns) => ns.name)).toEqual(['', 'existing']);
  });

  it("refuses a document that throws at once without leaving another one's refusal unhandled", async () => {
    const namespaces = new Namespaces(named('start'), builder().build);
    let refuseLater: (error: Error) => void = () => undefined;
    const later = new Promise<ScenarioDocument>((_resolve, reject) => {
      refuseLater = reject;
    });
    const unhandled: unknown[] = [];
    const collect = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', collect);
    try {
      const replacing = namespaces.replaceInSlices([
        { namespace: 'a', document: () => later, change: 'switch' },
        {
          namespace: 'b',
          document: () => {
            throw new Error('no such file');
          },
          change: 'switch',
        },
      ]);
      await expect(replacing).rejects.toThrow('no such file');
      refuseLater(new Error('refused later'));
      await new Promise((resolve) => setImmediate(resolve)); // unhandled rejections are reported after the microtasks
      expect(unhandled).toEqual([]);
      expect(namespaces.list().map((ns) => ns.name)).toEqual(['']);
    } finally {
      process.off('unhandledRejection', collect);
    }
  });
});
