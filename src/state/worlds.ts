/**
 * Where worlds are made: each scenario document is decoded into its base once (EngineModel.baseOf),
 * and every world of it (a new namespace, a reset, a switch back) is a copy-on-write layer over
 * that base, made in microseconds. Bases are kept per document object and go with it, so the
 * prepared-scenario cache (src/scenarios/validate.ts) decides how long a base lives.
 */
import type { ScenarioDocument } from '../scenarios/types';
import { EngineModel, type WorldBase } from './engine';
import type { ModelOptions } from './options';

export class Worlds {
  private readonly bases = new WeakMap<ScenarioDocument, WorldBase>();

  constructor(private readonly options: ModelOptions = {}) {}

  /** A fresh world of `scenario` (throws invalidScenario for what the model refuses). */
  world(scenario: ScenarioDocument): EngineModel {
    return EngineModel.over(this.base(scenario), this.options);
  }

  private base(scenario: ScenarioDocument): WorldBase {
    let base = this.bases.get(scenario);
    if (base === undefined) {
      base = EngineModel.baseOf(scenario, this.options);
      this.bases.set(scenario, base);
    }
    return base;
  }
}
