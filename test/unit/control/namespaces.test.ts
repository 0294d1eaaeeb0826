/** A namespace's world replacements: a switch that builds in slices never undoes a later one. */
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

describe('switches that build in slices', () => {
  it.each([
    ['a later switch', (ns: ReturnType<Namespaces['get']>) => ns.switchInSlices(named('fast'))],
    ['a later reset', (ns: ReturnType<Namespaces['get']>) => ns.reset()],
    ['a later restore', (ns: ReturnType<Namespaces['get']>) => ns.restore(named('restored'))],
  ])('do not undo %s that finished first', async (_what, later) => {
    const { build, finishSlow } = builder();
    const namespace = new Namespaces(named('start'), build).get('worker');
    const slowSwitch = namespace.switchInSlices(named('slow'));
    await later(namespace);
    const after = namespace.model;
    finishSlow();
    await slowSwitch;
    expect(namespace.model).toBe(after);
    expect(namespace.scenario.name).not.toBe('slow');
  });

  it('switches when nothing came after it', async () => {
    const { build, finishSlow } = builder();
    const namespace = new Namespaces(named('start'), build).get('worker');
    const slowSwitch = namespace.switchInSlices(named('slow'));
    finishSlow();
    await slowSwitch;
    expect(namespace.scenario.name).toBe('slow');
  });
});
