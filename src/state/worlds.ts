/**
 * Where worlds are made, from prepared scenario documents (validateScenarioDocument: shared, never
 * changed, so a base keeps their parts). Each is decoded into its base once (EngineModel.baseOf),
 * and every world of it (a new namespace, a reset, a switch back) is a copy-on-write layer over
 * that base, made in microseconds. Bases are kept per document object and go with it, so the
 * prepared-scenario cache (src/scenarios/validate.ts) decides how long a base lives.
 */
import type { ScenarioDocument } from '../scenarios/types';
import { EngineModel, type WorldBase } from './engine';
import type { ModelOptions } from './options';
import { runStepsInSlices } from './steps';

export class Worlds {
  private readonly bases = new WeakMap<ScenarioDocument, WorldBase>();

  constructor(private readonly options: ModelOptions = {}) {}

  /** Bases being decoded in slices, so two switches to one new scenario share the work. */
  private readonly decoding = new WeakMap<ScenarioDocument, Promise<WorldBase>>();

  /** A fresh world of `scenario` (throws invalidScenario for what the model refuses). */
  world(scenario: ScenarioDocument): EngineModel {
    return EngineModel.over(this.base(scenario), this.options);
  }

  /** Decodes the scenario's base in slices (runStepsInSlices), unless it is known: `world` is then quick. */
  async prepare(scenario: ScenarioDocument): Promise<void> {
    if (this.bases.has(scenario)) return;
    let decoding = this.decoding.get(scenario);
    if (decoding === undefined) {
      decoding = runStepsInSlices(EngineModel.baseSteps(scenario, this.options, true));
      this.decoding.set(scenario, decoding);
    }
    try {
      this.bases.set(scenario, await decoding);
    } finally {
      this.decoding.delete(scenario);
    }
  }

  private base(scenario: ScenarioDocument): WorldBase {
    let base = this.bases.get(scenario);
    if (base === undefined) {
      base = EngineModel.baseOf(scenario, this.options, true);
      this.bases.set(scenario, base);
    }
    return base;
  }
}
