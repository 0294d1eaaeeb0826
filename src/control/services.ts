/**
 * What control handlers (src/control/routes.ts, src/dashboard/routes.ts) are given: the few
 * services of the double they use, and the namespace the call addresses. Kept apart from the
 * handlers so the dashboard's can be typed without importing the control table (no import cycle).
 */
import type { EventStreams } from '../dashboard/events';
import type { ExchangeLog } from '../dashboard/exchanges';
import type { EngineRequest, EngineResponse } from '../routes/types';
import type { ScenarioSources } from '../scenarios/registry';
import type { CompiledOperation } from '../spec/contract';
import type { ControlOperationId } from '../spec/types';
import type { Coverage } from './coverage';
import type { Journal } from './journal';
import type { Namespaces } from './namespaces';
import type { ScenarioWatch } from './scenario-watch';
import type { StubContract } from './stubs';

/** The services control handlers use: the double's shared state, without its pipeline or transport. */
export interface ControlServices {
  readonly contract: { readonly operations: readonly CompiledOperation[]; readonly engineOperations: readonly CompiledOperation[] };
  readonly namespaces: Namespaces;
  readonly journal: Journal;
  readonly coverage: Coverage;
  /** Where scenario files are found by name, and the seed of a switch that names none. */
  readonly scenarioSources: ScenarioSources;
  readonly seed: number | undefined;
  /** Aborted when the double stops: a scenario still being prepared for a switch is given up (its worker thread ended). */
  readonly stopped: AbortSignal;
  /** Set while scenario files are watched (--watch). */
  readonly scenarioWatch: ScenarioWatch | undefined;
  /** What stubs are checked against when registered. */
  readonly stubContract: StubContract;
  /** True in proxy mode, where a real engine answers every engine call. */
  readonly proxyMode: boolean;
  /** The dashboard's: the event streams, the captured exchanges, the control operations it can show. */
  readonly streams: EventStreams;
  readonly exchanges: ExchangeLog;
  readonly controlOperationIds: readonly string[];
}

/** What a control handler works on: the services, and the namespace the call's header names. */
export interface ControlContext {
  services: ControlServices;
  /**
   * "" for the default namespace; already validated. Handlers make it (namespaces.get, or
   * namespaces.replaceInSlices once the new world is built) only when they need its world; reads
   * of its rules use namespaces.find, so they never make one.
   */
  namespace: string;
}

/**
 * Most answer at once; a scenario switch or a state restore awaits the world it builds in slices.
 * `Operation` types the request from the control contract.
 */
export type ControlHandler<Operation extends string = string> = (request: EngineRequest<Operation>, context: ControlContext) => EngineResponse | Promise<EngineResponse>;

/** The control handlers, keyed by the control contract's operation (`METHOD /path/template`), each typed by it. */
export type ControlRouteTable = { [Operation in ControlOperationId]: ControlHandler<Operation> };
