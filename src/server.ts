/**
 * Composition: the contract, the namespaces with their engine models, the route tables, the
 * journal and the coverage counters, wired into one request handler (served on node:http;
 * `createApp` wraps it in Express). Every call runs through ONE list of stages
 * (src/pipeline/stages.ts), each leaving out what does not apply to its kind of call:
 *
 *   host → url → namespace → route → capacity → control-token → fault → body → validate → stub
 *     → world → admit → handle | forward    then    check-response → send → coverage → exchange → journal
 *
 * Engine calls run all but capacity, control-token and forward; control calls skip capacity,
 * fault, stub, world, admit, forward and coverage; proxy relays (src/proxy) skip body to admit and
 * forward instead; in-process control calls (src/control/invoke.ts) run namespace → body →
 * validate → handle only; QIX upgrades (src/qix) and metrics requests (src/metrics) run the door's
 * own route and handle among the shared stages (`runtime.stagesOf(kind)` lists each). A stage returns a value
 * (next, answer, refuse, done); the runner turns refusals into HTTP in one place (`errorResponse`),
 * and what the double answers itself is sent only after check-response (docs/architecture.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DoubleError, errorResponse } from './errors';
import { Gatekeeper } from './auth/gatekeeper';
import type { JwtKeys } from './auth/policy';
import { Coverage } from './control/coverage';
import { Journal, DEFAULT_JOURNAL_SIZE } from './control/journal';
import { DEFAULT_JOURNAL_BODIES_TOTAL, DEFAULT_JOURNAL_BODY_LIMIT } from './control/recorded-request';
import type { StubContract } from './control/stubs';
import { ScenarioWatch, type WatchOption } from './control/scenario-watch';
import { Namespaces } from './control/namespaces';
import type { ControlServices } from './control/services';
import { controlTokenCheck } from './control/token';
import { loadContract, type CompiledOperation, type Contract } from './spec/contract';
import { Router } from './spec/router';
import { DEFAULT_BODY_TIMEOUT_MS } from './validation/request';
import { responseProblems } from './validation/response';
import { healthRoutes } from './routes/health';
import { appRoutes } from './routes/apps';
import { dataRoutes } from './routes/data';
import { mediaRoutes } from './routes/media';
import { sessionRoutes } from './routes/sessions';
import { handlersById, type EngineStats, type Exchange, type Handler, type RouteTable } from './routes/types';
import type { EngineModel, MediaLimits } from './state/engine';
import { Worlds } from './state/worlds';
import { scanScenarios, type ScenarioSources } from './scenarios/registry';
import type { GenerationProgress } from './scenarios/generate';
import { startScenario } from './control/catalog';
import type { ScenarioDocument } from './scenarios/types';
import { createSpecExampleResponder, requireSpecExamplesSupport, type SpecExampleResponder } from './scenarios/spec-examples';
import { parseByteSize } from './units';
import { corsStage, type CorsOption, type CorsStage } from './cors';
import { EngineProxy, type ProxyOptions } from './proxy/relay';
import { normaliseBasePath } from './base-path';
import { EventStreams } from './dashboard/events';
import { ExchangeLog } from './dashboard/exchanges';
import type { MetricsServices } from './metrics/services';
import type { QixServices } from './qix/services';
import { runStages, stageNames, type Call, type CallKind, type Pipeline, type Stage } from './pipeline/call';
import {
  admitStage,
  bodyStage,
  capacityStage,
  checkResponseStage,
  controlTokenStage,
  coverageStage,
  exchangeStage,
  faultStage,
  forwardStage,
  handleStage,
  hostStage,
  journalStage,
  namespaceStage,
  routeStage,
  sendOrFail,
  sendStage,
  stubStage,
  urlStage,
  validateStage,
  worldStage,
  type ValidationMode,
} from './pipeline/stages';

export { NAMESPACE_HEADER } from './control/namespaces';

export type { ValidationMode } from './pipeline/stages';

/** The handlers of the engine's operations, one route table per resource. */
export const engineRoutes: RouteTable = { ...healthRoutes, ...sessionRoutes, ...appRoutes, ...dataRoutes, ...mediaRoutes };

export const DEFAULT_BODY_LIMIT = '50mb';

export interface DoubleOptions {
  /**
   * The world the engine starts in (the default namespace's scenario; new namespaces start from it
   * too): a scenario's name, found like `--scenario` finds it, or a document, checked like a file.
   * Default: an empty world.
   */
  scenario?: string | ScenarioDocument;
  /** Told how far the start scenario's generators are (the CLI draws a progress line on a TTY). */
  onScenarioProgress?: GenerationProgress;
  /** A folder of the user's scenario files, which control calls can switch to by name (--scenarios-dir). */
  scenariosDir?: string;
  /** Seed of generators and dynamic examples when a scenario switch names none (--seed). */
  seed?: number;
  /** `strict` (default): a response that breaks the contract becomes a 500; `warn`: it is sent and journaled. */
  validation?: ValidationMode;
  /** Largest request body accepted, in bytes or as "50mb"; larger ones get 413. */
  bodyLimit?: number | string;
  /** How long a request body may stall (no byte arriving) before 408 and a closed connection (--body-timeout; default DEFAULT_BODY_TIMEOUT_MS). */
  bodyTimeoutMs?: number;
  /** How many requests the journal keeps. */
  journalSize?: number;
  /** Largest JSON request body one journal entry keeps, in bytes or as "64kb" (--journal-body-limit); larger ones are kept as size + SHA-256. */
  journalBodyLimit?: number | string;
  /** Most JSON body text the whole journal keeps (--journal-bodies-total); past it the oldest bodies become size + SHA-256. */
  journalBodiesTotal?: number | string;
  /** Media limits of every engine model (file size, files per app, path length and depth); over them: 413 or 400. */
  mediaLimits?: Partial<MediaLimits>;
  /** Keys that verify bearer tokens (--jwt-secret, --jwt-public-key); they replace every scenario's `security.jwt` key. */
  jwtKeys?: JwtKeys;
  /** Most namespaces besides the default one (--max-namespaces, default 256); each holds a world of the default namespace's scenario. */
  maxNamespaces?: number;
  /** When set, control calls must send `Authorization: Bearer <controlToken>` (--control-token); engine calls never. */
  controlToken?: string;
  /** Handlers that replace the double's own for some operations (responses are still validated). */
  routes?: RouteTable;
  /** Forward every engine call to a real engine and check its answers instead of answering from the model (docs/proxy.md). */
  proxy?: ProxyOptions;
  /** Where contract violations are reported; stderr by default. */
  log?: (line: string) => void;
  /**
   * Reload scenario files when they change (--watch): namespaces running a changed scenario are
   * rebuilt from it; a broken edit keeps the last good world. `startEngineDouble` starts the watcher.
   */
  watch?: WatchOption;
  /** CORS for browser callers: true (default) any origin, a list only those origins (--cors-origin), false none (--no-cors). */
  cors?: CorsOption;
  /** Serve every engine operation under this prefix ("/api", as the engine's BasePathPrefix); the control API answers with and without it (--base-path). */
  basePath?: string;
}

/** Everything a running double holds; shared by the engine routes and the control API. */
export class DoubleRuntime {
  readonly contract: Contract;
  readonly router: Router<CompiledOperation>;
  readonly journal: Journal;
  /** The open GET /__control/events streams, which follow the journal. */
  readonly streams: EventStreams;
  /** Headers and bodies of the most recent requests, for the dashboard's detail view. */
  readonly exchanges = new ExchangeLog();
  /** The control contract's operations (`METHOD /path`): the dashboard shows the views of those this double has. */
  readonly controlOperationIds: readonly string[];
  /** How often each engine operation answered each status, every namespace together. */
  readonly coverage = new Coverage();
  readonly stats: EngineStats = { startedAt: new Date(), calls: 0, active: 0 };
  readonly validation: ValidationMode;
  readonly bodyLimit: number;
  /** Largest JSON body one journal entry keeps (bytes of JSON text). */
  readonly journalBodyLimit: number;
  /** What stubs are checked against when registered (src/control/stubs.ts). */
  readonly stubContract: StubContract;
  readonly bodyTimeoutMs: number;
  readonly log: (line: string) => void;
  readonly mediaLimits: Partial<MediaLimits>;
  /** Admits requests: identity from the bearer token, the operation's permission (src/auth). */
  readonly gatekeeper: Gatekeeper;
  /** Where control calls find scenario files by name. */
  readonly scenarioSources: ScenarioSources;
  readonly seed: number | undefined;
  /** Each namespace's scenario, world, faults and inline scenarios; the default one is "". */
  readonly namespaces: Namespaces;
  /** Set in proxy mode: a real engine answers every engine call. */
  readonly proxy: EngineProxy | undefined;
  /** Set while scenario files are watched (startWatching). */
  scenarioWatch: ScenarioWatch | undefined;
  /** Aborted by stopPreparing (see ControlServices.stopped). */
  private readonly stopping = new AbortController();
  /** Answers preflights and adds CORS headers, before the pipeline; undefined with --no-cors. */
  readonly cors: CorsStage | undefined;
  /** The engine's path prefix: "" for none, else "/api" (src/base-path.ts). */
  readonly basePath: string;
  /** What control handlers work on (src/control/routes.ts): the services they use, not the runtime. */
  readonly control: ControlServices;
  /** The stages every call runs (src/pipeline/stages.ts), composed once. */
  readonly pipeline: Pipeline;
  /** What the QIX websocket door works with (src/qix): the stages its upgrades run, the journal, not the runtime. */
  readonly qixServices: QixServices;
  /** What the metrics door works with (src/metrics). */
  readonly metricsServices: MetricsServices;
  private readonly exchangeListeners = new Set<(exchange: Exchange) => void>();
  private readonly stageListeners = new Set<(stages: readonly string[], kind: CallKind) => void>();
  private readonly routes: Map<string, Handler>;
  /** One responder per spec-examples scenario document (Prism itself loads once per process, on first use). */
  private readonly specExamples = new WeakMap<ScenarioDocument, SpecExampleResponder>();

  constructor(options: DoubleOptions = {}) {
    this.contract = loadContract();
    this.router = new Router(this.contract.operations);
    this.journal = new Journal(options.journalSize ?? DEFAULT_JOURNAL_SIZE, parseByteSize(options.journalBodiesTotal ?? DEFAULT_JOURNAL_BODIES_TOTAL));
    this.journalBodyLimit = parseByteSize(options.journalBodyLimit ?? DEFAULT_JOURNAL_BODY_LIMIT);
    this.stubContract = this.makeStubContract();
    this.cors = corsStage(options.cors);
    this.streams = new EventStreams(this.journal);
    this.controlOperationIds = this.contract.operations.filter((op) => op.source === 'control').map((op) => op.id);
    this.validation = options.validation ?? 'strict';
    if (this.validation !== 'strict' && this.validation !== 'warn') {
      throw new Error(`validation must be strict or warn, not ${String(this.validation)}`);
    }
    this.bodyLimit = parseByteSize(options.bodyLimit ?? DEFAULT_BODY_LIMIT);
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    if (!Number.isInteger(this.bodyTimeoutMs) || this.bodyTimeoutMs < 1) throw new Error(`bodyTimeoutMs must be a whole number of milliseconds >= 1, not ${String(this.bodyTimeoutMs)}`);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.mediaLimits = options.mediaLimits ?? {};
    this.gatekeeper = new Gatekeeper(options.jwtKeys);
    this.scenarioSources = options.scenariosDir ? { scenariosDir: options.scenariosDir } : {};
    if (options.scenariosDir) this.reportUnusableScenarioFiles();
    this.seed = options.seed;
    const checkControlToken = options.controlToken === undefined ? undefined : controlTokenCheck(options.controlToken);
    this.basePath = normaliseBasePath(options.basePath);
    if (this.basePath !== '' && options.proxy) throw new Error('a base path cannot be combined with proxy mode: the real engine has its own');
    this.proxy = options.proxy && new EngineProxy(options.proxy, { contract: this.contract, bodyLimit: this.bodyLimit, bodyTimeoutMs: this.bodyTimeoutMs, log: this.log });
    this.routes = handlersById({ ...engineRoutes, ...options.routes });
    for (const id of this.routes.keys()) {
      if (!this.contract.operations.some((op) => op.id === id)) throw new Error(`routes: ${id} is not an operation of the contract`);
    }
    const unrouted = this.contract.engineOperations.filter((op) => !this.routes.has(op.id));
    if (unrouted.length > 0) throw new Error(`no handler for ${unrouted.map((op) => op.id).join(', ')}`);
    // The default namespace's world is made now, not on the first request, so a bad scenario or limit stops the start.
    // Without a scenario the world is empty, with nothing to check (and the scenario schema is not compiled).
    const initial = options.scenario === undefined ? { name: 'empty' } : startScenario(options.scenario, { ...this.scenarioSources, seed: this.seed, onProgress: options.onScenarioProgress });
    const worlds = new Worlds({ limits: this.mediaLimits });
    const world = (scenario: ScenarioDocument) => {
      requireSpecExamplesSupport(scenario);
      const model = worlds.world(scenario);
      this.gatekeeper.policyOf(model); // a bad security section fails here, not on a later request
      return model;
    };
    this.namespaces = new Namespaces(initial, {
      world,
      prepare: async (scenario) => {
        requireSpecExamplesSupport(scenario);
        await worlds.prepare(scenario);
      },
    }, options.maxNamespaces);
    this.control = this.makeControlServices();
    const stages = this.composeStages(checkControlToken);
    this.pipeline = { stages, run: (start) => this.runCall(stages, start) };
    const doorServices = { pipeline: this.pipeline, stats: this.stats, log: this.log, basePath: this.basePath };
    this.qixServices = { ...doorServices, journal: this.journal, gatekeeper: this.gatekeeper, proxyMode: this.proxy !== undefined };
    this.metricsServices = { ...doorServices, onExchange: (listener) => this.onExchange(listener) };
  }

  /**
   * The one list of stages, in the order they run; each names the kinds of call it applies to
   * (`stagesOf` lists them per kind) and is made from the few services it uses.
   */
  private composeStages(checkControlToken: ((authorization: string | undefined) => void) | undefined): Stage[] {
    const { namespaces, contract } = this;
    return [
      hostStage,
      urlStage(this.proxy),
      namespaceStage,
      routeStage(this.router, this.basePath),
      capacityStage,
      controlTokenStage(checkControlToken),
      faultStage(namespaces),
      bodyStage({ bodyLimit: this.bodyLimit, bodyTimeoutMs: this.bodyTimeoutMs, journalBodyLimit: this.journalBodyLimit }),
      validateStage,
      stubStage(namespaces),
      worldStage(namespaces),
      admitStage(this.gatekeeper),
      handleStage({ handler: (operation, scenario) => this.handler(operation, scenario), stats: this.stats, contract, validation: this.validation }, this.control),
      forwardStage(this.proxy),
      checkResponseStage({ contract, validation: this.validation, log: this.log }),
      sendStage(this.log),
      coverageStage(this.coverage),
      exchangeStage((exchange) => this.exchangeEnded(exchange)),
      journalStage(this.journal, this.exchanges),
    ];
  }

  private async runCall(stages: readonly Stage[], start: Call): Promise<Call> {
    if (this.stageListeners.size === 0) return runStages(stages, start);
    const ran: string[] = [];
    const call = await runStages(stages, start, (stage) => ran.push(stage));
    for (const listener of this.stageListeners) listener(ran, call.kind);
    return call;
  }

  /** The names of the stages a kind of call runs, in order. */
  stagesOf(kind: CallKind): string[] {
    return stageNames(this.pipeline.stages, kind);
  }

  /** Calls `listener` with the stages each call ran and its kind, once it has run them; returns what stops it. */
  traceStages(listener: (stages: readonly string[], kind: CallKind) => void): () => void {
    this.stageListeners.add(listener);
    return () => this.stageListeners.delete(listener);
  }

  private makeControlServices(): ControlServices {
    const runtime = this;
    return {
      contract: this.contract,
      namespaces: this.namespaces,
      journal: this.journal,
      coverage: this.coverage,
      scenarioSources: this.scenarioSources,
      seed: this.seed,
      stopped: this.stopping.signal,
      get scenarioWatch() {
        return runtime.scenarioWatch;
      },
      stubContract: this.stubContract,
      proxyMode: this.proxy !== undefined,
      streams: this.streams,
      exchanges: this.exchanges,
      controlOperationIds: this.controlOperationIds,
    };
  }

  /**
   * Names, at start, each scenario file of --scenarios-dir that cannot be parsed or is misnamed (one
   * log line per problem): the listing leaves it out and a switch to it is refused, never silently.
   */
  private reportUnusableScenarioFiles(): void {
    const { problems } = scanScenarios(this.scenarioSources);
    if (problems.length === 0) return;
    for (const problem of problems) this.log(`scenario file left out: ${problem.detail}`);
    this.log('(`qlik-engine-double validate --scenarios-dir DIR` checks every file in full)');
  }

  private makeStubContract(): StubContract {
    const { contract, router } = this;
    return {
      engineOperation: (id) => contract.engineOperations.find((op) => op.id === id),
      knownOperation: (id) => contract.operations.some((op) => op.id === id),
      resolve: (method, path) => {
        try {
          const { operation } = router.match(method, path);
          return operation.source === 'engine' ? operation : `${operation.id} is a control operation: only engine calls can be stubbed`;
        } catch (error) {
          if (error instanceof DoubleError) return error.message;
          throw error;
        }
      },
      responseProblems: (id, response) => responseProblems(contract, id === undefined ? undefined : contract.operation(id), response),
    };
  }

  /** Starts reloading scenario files on change (--watch); resolves once the watcher is ready. */
  async startWatching(option: WatchOption = true): Promise<ScenarioWatch> {
    this.scenarioWatch ??= await ScenarioWatch.start({ namespaces: this.namespaces, sources: this.scenarioSources, log: this.log }, option);
    return this.scenarioWatch;
  }

  /** Gives up the scenarios still being prepared for switches, ending their worker threads (the double stops). */
  stopPreparing(): void {
    this.stopping.abort();
  }

  /** Stops the watcher, if one runs. */
  async stopWatching(): Promise<void> {
    const watch = this.scenarioWatch;
    this.scenarioWatch = undefined;
    await watch?.close();
  }

  /** The model of one namespace (the default one is ''), made from the default namespace's scenario on first use. */
  model(namespace = ''): EngineModel {
    return this.namespaces.get(namespace).model;
  }

  /** Calls `listener` after every answered (or dropped) request, as the metrics door counts them; returns what stops it. */
  onExchange(listener: (exchange: Exchange) => void): () => void {
    this.exchangeListeners.add(listener);
    return () => this.exchangeListeners.delete(listener);
  }

  /** Tells the exchange listeners about one finished request. */
  exchangeEnded(exchange: Exchange): void {
    for (const listener of this.exchangeListeners) listener(exchange);
  }

  /** The handler of an engine operation in a namespace running `scenario`: Prism's examples in spec-examples mode. */
  handler(operation: CompiledOperation, scenario: ScenarioDocument): Handler {
    if (scenario.mode === 'spec-examples') return this.specExampleHandler(operation, scenario);
    const handler = this.routes.get(operation.id);
    // Every engine operation has one (the constructor checks), so this is a defect, answered as a 500.
    if (handler === undefined) throw new Error(`no handler for ${operation.id}`);
    return handler;
  }

  /** In spec-examples mode engine operations answer Prism's examples; Prism loads on the first such request. */
  private specExampleHandler(operation: CompiledOperation, scenario: ScenarioDocument): Handler {
    let respond = this.specExamples.get(scenario);
    if (!respond) {
      const { seed, examples } = scenario;
      respond = createSpecExampleResponder({ seed, dynamic: examples === 'dynamic' });
      this.specExamples.set(scenario, respond);
    }
    const answer = respond;
    return (request) => answer(operation, request);
  }
}


/** The double as a node:http request listener. It never rejects: a failure past the pipeline ends that request alone. */
export function createRequestHandler(runtime: DoubleRuntime) {
  const handle = serveRequest(runtime);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      // A preflight is the browser's question, not a call: answered here, never journaled.
      if (runtime.cors?.(req, res) === 'answered') return;
      await handle(req, res);
    } catch (error) {
      runtime.log(`request failed after the pipeline: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendOrFail(runtime.log, res, errorResponse(error));
      else res.destroy();
    }
  };
}

function serveRequest(runtime: DoubleRuntime) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    runtime.stats.calls += 1;
    runtime.stats.active += 1;
    try {
      await runtime.pipeline.run({ kind: 'engine', http: { req, res }, started: performance.now(), method: req.method ?? 'GET', headers: req.headers, query: {}, requestViolations: [], requestWarnings: [] });
    } finally {
      runtime.stats.active -= 1;
    }
  };
}

/**
 * What `createApp` returns: an Express 5 application, typed by what a caller does with it (mount
 * it with `app.use`, hand it to supertest or `http.createServer`) so that the package's types need
 * no `@types/express` in the consumer. Cast it to Express's `Express` type where more is needed.
 */
export type ExpressApp = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * The double as an Express 5 app, to mount in a server of your own (`app.use(createApp(runtime))`)
 * or hand to supertest. `startEngineDouble` and the CLI serve `createRequestHandler` on node:http
 * directly: the handler needs nothing from Express, and Express takes ~200 ms to load, half a
 * double's start-up, so it is loaded only here.
 */
export function createApp(runtime: DoubleRuntime): ExpressApp {
  const express = require('express') as typeof import('express');
  const app = express();
  app.disable('x-powered-by');
  // The contract documents no 304s: never answer conditional requests from an ETag.
  app.set('etag', false);
  app.use(createRequestHandler(runtime));
  return app;
}
