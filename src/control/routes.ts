/**
 * The control API under /__control (spec/control-api.json): scenarios, state, faults, stubs,
 * journal (read, search, clear), coverage and namespaces. Handlers are plain functions like the engine's: the pipeline has
 * already matched, checked the control token and the namespace header, and validated the request
 * against the control contract; it validates what they return before sending it.
 */
import type controlSpec from '../../spec/control-api.json';
import { doubleError, type DoubleError } from '../errors';
import type { EngineRequest, EngineResponse } from '../routes/types';
import type { ScenarioDocument } from '../scenarios/types';
import { invalidScenario, scenarioProblem, validateScenarioDocument } from '../scenarios/validate';
import type { DoubleRuntime } from '../server';
import { catalog, findScenario, registerInlineScenario } from './catalog';
import type { FaultRuleInput } from './faults';
import type { JournalEntry } from './journal';
import { NAMESPACE_HEADER, namespaceNameProblem, type Namespace } from './namespaces';
import { checkedMatcher, type JournalMatcher } from './request-matcher';
import type { StubInput } from './stubs';
import { dashboardRoutes } from '../dashboard/routes';

/** Every operation of the control contract, named like the engine's: `METHOD /path/template`. */
type ControlPaths = (typeof controlSpec)['paths'];
export type ControlOperationId = {
  [P in keyof ControlPaths]: `${Uppercase<keyof ControlPaths[P] & string>} ${P & string}`;
}[keyof ControlPaths];

/** What a control handler works on: the double, and the namespace the call's header names. */
export interface ControlContext {
  runtime: DoubleRuntime;
  /** "" for the default namespace; already validated. Handlers make it (runtime.namespaces.get) only when they need its world. */
  namespace: string;
}

/** Most answer at once; a scenario switch awaits the world it builds in slices. */
export type ControlHandler = (request: EngineRequest, context: ControlContext) => EngineResponse | Promise<EngineResponse>;

/** SwitchScenario of the control contract. */
interface SwitchScenarioBody {
  name: string;
  seed?: number;
}

/** FaultRules of the control contract. */
interface FaultRulesBody {
  rules: FaultRuleInput[];
}

/** Stubs of the control contract. */
interface StubsBody {
  stubs: StubInput[];
}

/** In proxy mode the real engine answers every engine call: a stub would never apply, so none is taken. */
function refuseStubsInProxyMode(runtime: DoubleRuntime): void {
  if (!runtime.proxy) return;
  throw doubleError('invalidStub', {
    detail: 'the double runs with --proxy: the real engine answers every engine call, so no stub would ever apply',
    source: { pointer: '/stubs' },
    meta: { rule: 'proxyMode' },
  });
}

/** A journal search's matcher, checked, and the namespace it searches (the matcher's own, else the call's). */
function journalSearch(request: EngineRequest, { runtime, namespace }: ControlContext): { matcher: JournalMatcher; namespace: string } {
  const matcher = checkedMatcher(request.body as JournalMatcher, '', (id) => runtime.contract.operations.some((op) => op.id === id));
  const named = matcher.namespace;
  if (named !== undefined && named !== '') {
    const problem = namespaceNameProblem(named);
    if (problem !== undefined) throw doubleError('invalidMatcher', { detail: `/namespace ${problem}`, source: { pointer: '/namespace' }, meta: { rule: 'namespaceName' } });
  }
  return { matcher, namespace: named ?? namespace };
}

/** CurrentScenario of the control contract: the scenario a namespace runs. */
export interface CurrentScenario {
  /** "" for the default namespace. */
  namespace: string;
  name: string;
  description?: string;
  mode: 'stateful' | 'spec-examples';
  /** The seed its generators and dynamic examples ran with. */
  seed?: number;
}

function currentScenario(namespace: Namespace): CurrentScenario {
  const { name, description, mode, seed } = namespace.scenario;
  return {
    namespace: namespace.name,
    name,
    ...(description !== undefined ? { description } : {}),
    mode: mode ?? 'stateful',
    ...(seed !== undefined ? { seed } : {}),
  };
}

function refuseSpecExamplesState(): DoubleError {
  return invalidScenario([
    scenarioProblem('PUT /__control/state', '/mode', 'is "spec-examples", but a state is a stateful world: switch to a spec-examples scenario with PUT /__control/scenario', 'mode'),
  ]);
}

/** The `limit` query parameter: a whole number >= 1 (the contract checked it is an integer), or none. */
function limitOf(request: EngineRequest): number | undefined {
  const { limit } = request.query;
  if (limit === undefined) return undefined;
  const value = Number(limit);
  if (value >= 1) return value;
  throw doubleError('invalidParameter', {
    detail: `query parameter 'limit' must be >= 1, not ${limit}`,
    source: { parameter: 'limit' },
    meta: { rule: 'minimum', in: 'query', limit: 1 },
  });
}

function journalPage(runtime: DoubleRuntime, entries: JournalEntry[], limit: number | undefined): EngineResponse {
  return { status: 200, body: { capacity: runtime.journal.capacity, entries: limit === undefined ? entries : entries.slice(-limit) } };
}

const noContent: EngineResponse = { status: 204 };

export const controlRoutes: Record<ControlOperationId, ControlHandler> = {
  'GET /__control/scenarios': (_request, { runtime, namespace }) => {
    const scope = runtime.namespaces.get(namespace);
    const watch = runtime.scenarioWatch;
    // A file that cannot be used is left out of the list; while watching, one broken mid-edit is also reported under `broken`.
    const scenarios = catalog(scope, runtime.scenarioSources);
    return { status: 200, body: { current: currentScenario(scope), scenarios, ...(watch ? { watch: { broken: watch.brokenScenarios() } } : {}) } };
  },

  'POST /__control/scenarios': (request, { runtime, namespace }) => {
    const entry = registerInlineScenario(runtime.namespaces.get(namespace), request.body, 'POST /__control/scenarios', runtime.scenarioSources);
    return { status: 201, body: entry };
  },

  'PUT /__control/scenario': async (request, { runtime, namespace }) => {
    const { name, seed } = request.body as SwitchScenarioBody;
    const scope = runtime.namespaces.get(namespace);
    await scope.switchInSlices(await findScenario(scope, name, { ...runtime.scenarioSources, seed: seed ?? runtime.seed }));
    return { status: 200, body: currentScenario(scope) };
  },

  'POST /__control/reset': (_request, { runtime, namespace }) => {
    const scope = runtime.namespaces.get(namespace);
    scope.reset();
    return { status: 200, body: currentScenario(scope) };
  },

  'GET /__control/state': (_request, { runtime, namespace }) => ({ status: 200, body: runtime.namespaces.get(namespace).model.toScenario() }),

  'PUT /__control/state': (request, { runtime, namespace }) => {
    const state: ScenarioDocument = validateScenarioDocument(request.body, 'PUT /__control/state', { seed: runtime.seed });
    if (state.mode === 'spec-examples') throw refuseSpecExamplesState();
    runtime.namespaces.get(namespace).restore(state);
    return noContent;
  },

  'GET /__control/faults': (_request, { runtime, namespace }) => ({ status: 200, body: { rules: runtime.namespaces.get(namespace).faults.list() } }),

  'PUT /__control/faults': (request, { runtime, namespace }) => {
    const { rules } = request.body as FaultRulesBody;
    return { status: 200, body: { rules: runtime.namespaces.get(namespace).faults.replace(rules) } };
  },

  'DELETE /__control/faults': (_request, { runtime, namespace }) => {
    runtime.namespaces.get(namespace).faults.clear();
    return noContent;
  },

  'GET /__control/journal': (request, { runtime, namespace }) => journalPage(runtime, runtime.journal.list({ namespace }), limitOf(request)),

  'DELETE /__control/journal': (_request, { runtime, namespace }) => {
    runtime.journal.clear({ namespace });
    return noContent;
  },

  'POST /__control/journal/find': (request, context) => {
    const { matcher, namespace } = journalSearch(request, context);
    return { status: 200, body: context.runtime.journal.find(matcher, namespace) };
  },

  'POST /__control/journal/count': (request, context) => {
    const { matcher, namespace } = journalSearch(request, context);
    return { status: 200, body: { count: context.runtime.journal.find(matcher, namespace).count } };
  },

  'GET /__control/stubs': (_request, { runtime, namespace }) => ({ status: 200, body: { stubs: runtime.namespaces.get(namespace).stubs.list() } }),

  'PUT /__control/stubs': (request, { runtime, namespace }) => {
    const { stubs } = request.body as StubsBody;
    refuseStubsInProxyMode(runtime);
    return { status: 200, body: { stubs: runtime.namespaces.get(namespace).stubs.replace(stubs, runtime.stubContract) } };
  },

  'POST /__control/stubs': (request, { runtime, namespace }) => {
    const { stubs } = request.body as StubsBody;
    refuseStubsInProxyMode(runtime);
    return { status: 201, body: { stubs: runtime.namespaces.get(namespace).stubs.add(stubs, runtime.stubContract) } };
  },

  'DELETE /__control/stubs': (_request, { runtime, namespace }) => {
    runtime.namespaces.get(namespace).stubs.clear();
    return noContent;
  },

  'GET /__control/violations': (request, { runtime, namespace }) =>
    journalPage(runtime, runtime.journal.violations({ namespace, includeWarnings: request.query.includeWarnings === 'true' }), limitOf(request)),

  'GET /__control/coverage': (_request, { runtime }) => ({ status: 200, body: runtime.coverage.report(runtime.contract.engineOperations) }),

  'DELETE /__control/coverage': (_request, { runtime }) => {
    runtime.coverage.reset();
    return noContent;
  },

  'GET /__control/namespaces': (_request, { runtime }) => ({
    status: 200,
    body: {
      limit: runtime.namespaces.limit,
      namespaces: runtime.namespaces.list().map((scope) => ({ namespace: scope.name, scenario: scope.scenario.name })),
    },
  }),

  'DELETE /__control/namespace': (_request, { runtime, namespace }) => {
    if (namespace === '') {
      throw doubleError('invalidNamespace', {
        detail: `send the ${NAMESPACE_HEADER} header naming the namespace to drop; the default namespace cannot be dropped (POST /__control/reset resets it)`,
        source: { header: NAMESPACE_HEADER },
        meta: { rule: 'required' },
      });
    }
    runtime.namespaces.drop(namespace);
    return noContent;
  },

  ...dashboardRoutes,
};

/** True for the operations of the control contract (each has a handler above). */
export function isControlOperation(operationId: string): operationId is ControlOperationId {
  return Object.hasOwn(controlRoutes, operationId);
}
