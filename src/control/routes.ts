/**
 * The control API under /__control (spec/control-api.json): scenarios, state, faults, stubs,
 * journal (read, search, clear), coverage and namespaces. Handlers are plain functions like the engine's: the pipeline has
 * already matched, checked the control token and the namespace header, and validated the request
 * against the control contract; it validates what they return before sending it.
 */
import { doubleError, type DoubleError } from '../errors';
import type { EngineRequest, EngineResponse } from '../routes/types';
import type { ControlOperationId, CurrentScenario, JournalMatcher } from '../spec/types';
import type { ScenarioDocument } from '../scenarios/types';
import { prepareScenarioInWorker, scenarioProblem } from '../scenarios/validate';
import { catalog, findScenario, registerInlineScenario } from './catalog';
import { refuseBadFaultRules } from './faults';
import type { JournalEntry } from './journal';
import { NAMESPACE_HEADER, namespaceNameProblem, type Namespace } from './namespaces';
import { checkedMatcher } from './request-matcher';
import type { ControlContext, ControlHandler, ControlRouteTable, ControlServices } from './services';
import { refuseBadStubs } from './stubs';
import { dashboardRoutes } from '../dashboard/routes';

/** Every operation of the control contract, named like the engine's: `METHOD /path/template`. */
export type { ControlOperationId } from '../spec/types';

/** In proxy mode the real engine answers every engine call: a stub would never apply, so none is taken. */
function refuseStubsInProxyMode(services: ControlServices): void {
  if (!services.proxyMode) return;
  throw doubleError('invalidStub', {
    detail: 'the double runs with --proxy: the real engine answers every engine call, so no stub would ever apply',
    source: { pointer: '/stubs' },
    meta: { rule: 'proxyMode' },
  });
}

/** A journal search's matcher, checked, and the namespace it searches (the matcher's own, else the call's). */
function journalSearch(request: EngineRequest<'POST /__control/journal/find' | 'POST /__control/journal/count'>, { services, namespace }: ControlContext): { matcher: JournalMatcher; namespace: string } {
  const matcher = checkedMatcher(request.body, '', services.stubContract.knownOperation);
  const named = matcher.namespace;
  if (named !== undefined && named !== '') {
    const problem = namespaceNameProblem(named);
    if (problem !== undefined) throw doubleError('invalidMatcher', { detail: `/namespace ${problem}`, source: { pointer: '/namespace' }, meta: { rule: 'namespaceName' } });
  }
  return { matcher, namespace: named ?? namespace };
}

/** CurrentScenario of the control contract: the scenario a namespace runs ("" names the default namespace), its mode and seed. */
export type { CurrentScenario } from '../spec/types';

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
  return doubleError('invalidScenario', [
    scenarioProblem('PUT /__control/state', '/mode', 'is "spec-examples", but a state is a stateful world: switch to a spec-examples scenario with PUT /__control/scenario', 'mode'),
  ]);
}

/** The `limit` query parameter: the contract checked it is a whole number >= 1. */
function limitOf(request: EngineRequest<'GET /__control/journal' | 'GET /__control/violations'>): number | undefined {
  const { limit } = request.query;
  return limit === undefined ? undefined : Number(limit);
}

function journalPage(services: ControlServices, entries: JournalEntry[], limit: number | undefined): EngineResponse {
  return { status: 200, body: { capacity: services.journal.capacity, entries: limit === undefined ? entries : entries.slice(-limit) } };
}

const noContent: EngineResponse = { status: 204 };

const handlers: ControlRouteTable = {
  'GET /__control/scenarios': (_request, { services, namespace }) => {
    const ns = services.namespaces.get(namespace);
    const watch = services.scenarioWatch;
    // A file that cannot be used is left out of the list; while watching, one broken mid-edit is also reported under `broken`.
    const scenarios = catalog(ns, services.scenarioSources);
    return { status: 200, body: { current: currentScenario(ns), scenarios, ...(watch ? { watch: { broken: watch.brokenScenarios() } } : {}) } };
  },

  'POST /__control/scenarios': (request, { services, namespace }) => {
    const entry = registerInlineScenario(services.namespaces.get(namespace), request.body, 'POST /__control/scenarios', services.scenarioSources);
    return { status: 201, body: entry };
  },

  'PUT /__control/scenario': async (request, { services, namespace }) => {
    const { name, seed } = request.body;
    // An unknown name is refused before the namespace is made.
    const document = findScenario(services.namespaces.inlineScenariosOf(namespace), name, { ...services.scenarioSources, seed: seed ?? services.seed, signal: services.stopped });
    const [switched] = await services.namespaces.replaceInSlices([{ namespace, document, change: 'switch' }]);
    return { status: 200, body: currentScenario(switched!.namespace) };
  },

  'POST /__control/reset': (_request, { services, namespace }) => {
    const ns = services.namespaces.get(namespace);
    ns.reset();
    return { status: 200, body: currentScenario(ns) };
  },

  'GET /__control/state': (_request, { services, namespace }) => ({ status: 200, body: services.namespaces.get(namespace).model.toScenario() }),

  'PUT /__control/state': async (request, { services, namespace }) => {
    const document = async (): Promise<ScenarioDocument> => {
      const state = await prepareScenarioInWorker(request.body, 'PUT /__control/state', { seed: services.seed, signal: services.stopped });
      if (state.mode === 'spec-examples') throw refuseSpecExamplesState();
      return state;
    };
    await services.namespaces.replaceInSlices([{ namespace, document, change: 'restore' }]);
    return noContent;
  },

  'GET /__control/faults': (_request, { services, namespace }) => ({ status: 200, body: { rules: services.namespaces.find(namespace)?.faults.list() ?? [] } }),

  'PUT /__control/faults': (request, { services, namespace }) => {
    const { rules } = request.body;
    refuseBadFaultRules(rules); // before the namespace is made: a refused call makes none
    return { status: 200, body: { rules: services.namespaces.get(namespace).faults.replace(rules) } };
  },

  'DELETE /__control/faults': (_request, { services, namespace }) => {
    services.namespaces.find(namespace)?.faults.clear();
    return noContent;
  },

  'GET /__control/journal': (request, { services, namespace }) => journalPage(services, services.journal.list({ namespace }), limitOf(request)),

  'DELETE /__control/journal': (_request, { services, namespace }) => {
    services.journal.clear({ namespace });
    return noContent;
  },

  'POST /__control/journal/find': (request, context) => {
    const { matcher, namespace } = journalSearch(request, context);
    return { status: 200, body: context.services.journal.find(matcher, namespace) };
  },

  'POST /__control/journal/count': (request, context) => {
    const { matcher, namespace } = journalSearch(request, context);
    return { status: 200, body: { count: context.services.journal.count(matcher, namespace) } };
  },

  'GET /__control/stubs': (_request, { services, namespace }) => ({ status: 200, body: { stubs: services.namespaces.find(namespace)?.stubs.list() ?? [] } }),

  'PUT /__control/stubs': (request, { services, namespace }) => {
    const { stubs } = request.body;
    refuseStubsInProxyMode(services);
    refuseBadStubs(stubs, services.stubContract); // before the namespace is made: a refused call makes none
    return { status: 200, body: { stubs: services.namespaces.get(namespace).stubs.replace(stubs, services.stubContract) } };
  },

  'POST /__control/stubs': (request, { services, namespace }) => {
    const { stubs } = request.body;
    refuseStubsInProxyMode(services);
    refuseBadStubs(stubs, services.stubContract); // before the namespace is made (add checks again with the stubs it holds)
    return { status: 201, body: { stubs: services.namespaces.get(namespace).stubs.add(stubs, services.stubContract) } };
  },

  'DELETE /__control/stubs': (_request, { services, namespace }) => {
    services.namespaces.find(namespace)?.stubs.clear();
    return noContent;
  },

  'GET /__control/violations': (request, { services, namespace }) =>
    journalPage(services, services.journal.violations({ namespace, includeWarnings: request.query.includeWarnings === 'true' }), limitOf(request)),

  'GET /__control/coverage': (_request, { services }) => ({ status: 200, body: services.coverage.report(services.contract.engineOperations) }),

  'DELETE /__control/coverage': (_request, { services }) => {
    services.coverage.reset();
    return noContent;
  },

  'GET /__control/namespaces': (_request, { services }) => ({
    status: 200,
    body: {
      limit: services.namespaces.limit,
      namespaces: services.namespaces.list().map((ns) => ({ namespace: ns.name, scenario: ns.scenario.name })),
    },
  }),

  'DELETE /__control/namespace': (_request, { services, namespace }) => {
    if (namespace === '') {
      throw doubleError('invalidNamespace', {
        detail: `send the ${NAMESPACE_HEADER} header naming the namespace to drop; the default namespace cannot be dropped (POST /__control/reset resets it)`,
        source: { header: NAMESPACE_HEADER },
        meta: { rule: 'required' },
      });
    }
    services.namespaces.drop(namespace);
    return noContent;
  },

  ...dashboardRoutes,
};

/**
 * The same handlers by operation id, for the handle stage, which calls whichever the call was
 * routed to with a request validated against that operation: what each handler's types say.
 */
export const controlRoutes = handlers as Record<ControlOperationId, ControlHandler>;

/** True for the operations of the control contract (each has a handler above). */
export function isControlOperation(operationId: string): operationId is ControlOperationId {
  return Object.hasOwn(controlRoutes, operationId);
}
