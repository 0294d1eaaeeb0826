/**
 * Composition: the contract, the namespaces with their engine models, the route tables, the
 * journal and the coverage counters, wired into one request handler (served on node:http; `createApp` wraps it in Express) that runs every
 * request, engine and control calls alike, through the same pipeline:
 *
 *   namespace → match (router) → control token → fault → read + validate request → admit → handler
 *     → validate response → send → journal + coverage
 *
 * Every stage but `fault` (which may wait) and `send` is a function of data; errors from any stage
 * become HTTP in one place (`errorResponse`), and nothing reaches the socket without passing
 * response validation.
 *
 * In proxy mode (src/proxy) a real engine answers engine calls instead, and the double only watches:
 *
 *   namespace → match (a miss is journaled) → fault → forward → send as received → journal + coverage
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DoubleError, doubleError, errorResponse, errorWithStatus, type ErrorEntry, type Problem } from './errors';
import { Gatekeeper } from './auth/gatekeeper';
import type { JwtKeys } from './auth/policy';
import { Coverage } from './control/coverage';
import type { FaultRule } from './control/faults';
import { Journal, DEFAULT_JOURNAL_SIZE } from './control/journal';
import { DEFAULT_JOURNAL_BODIES_TOTAL, DEFAULT_JOURNAL_BODY_LIMIT, recordBody, recordRequest } from './control/recorded-request';
import type { RecordedRequest } from './control/request-matcher';
import type { StubContract } from './control/stubs';
import { ScenarioWatch, type WatchOption } from './control/scenario-watch';
import { Namespaces, namespaceOf } from './control/namespaces';
import { controlRoutes, isControlOperation } from './control/routes';
import { controlTokenCheck } from './control/token';
import { redactUrl } from './control/redact';
import { loadContract, type CompiledOperation, type Contract } from './spec/contract';
import { Router } from './spec/router';
import { DEFAULT_BODY_TIMEOUT_MS, readRequestBody, validateRequest } from './validation/request';
import { decodeMediaPathSeparators, type RequestWarning } from './validation/tolerance';
import { responseProblems } from './validation/response';
import { healthRoutes } from './routes/health';
import { appRoutes } from './routes/apps';
import { dataRoutes } from './routes/data';
import { mediaRoutes } from './routes/media';
import { sessionRoutes } from './routes/sessions';
import type { EngineRequest, EngineResponse, EngineStats, Exchange, Handler, RouteTable } from './routes/types';
import type { EngineModel, MediaLimits } from './state/engine';
import { Worlds } from './state/worlds';
import { scanScenarios, type ScenarioSources } from './scenarios/registry';
import type { GenerationProgress } from './scenarios/generate';
import { startScenario } from './control/catalog';
import type { ScenarioDocument } from './scenarios/types';
import { createSpecExampleResponder, requireSpecExamplesSupport, type SpecExampleResponder } from './scenarios/spec-examples';
import { parseByteSize } from './units';
import { corsStage, type CorsOption, type CorsStage } from './cors';
import { EngineProxy, type ProxyOptions, type Relayed, type RouteHit } from './proxy/relay';
import { matchUnderBasePath, normaliseBasePath, stripBasePath } from './base-path';
import { EventStreams } from './dashboard/events';
import { captureMessage, ExchangeLog } from './dashboard/exchanges';
import { controlAuthorization } from './dashboard/page';

export { NAMESPACE_HEADER } from './control/namespaces';

export type ValidationMode = 'strict' | 'warn';

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
  /** Answers preflights and adds CORS headers, before the pipeline; undefined with --no-cors. */
  readonly cors: CorsStage | undefined;
  /** The engine's path prefix: "" for none, else "/api" (src/base-path.ts). */
  readonly basePath: string;
  private readonly exchangeListeners = new Set<(exchange: Exchange) => void>();
  private readonly routes: Map<string, Handler>;
  private readonly checkControlToken: ((authorization: string | undefined) => void) | undefined;
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
    this.checkControlToken = options.controlToken === undefined ? undefined : controlTokenCheck(options.controlToken);
    this.basePath = normaliseBasePath(options.basePath);
    if (this.basePath !== '' && options.proxy) throw new Error('a base path cannot be combined with proxy mode: the real engine has its own');
    this.proxy = options.proxy && new EngineProxy(options.proxy, { contract: this.contract, bodyLimit: this.bodyLimit, bodyTimeoutMs: this.bodyTimeoutMs, log: this.log });
    this.routes = new Map(Object.entries({ ...engineRoutes, ...options.routes }) as [string, Handler][]);
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

  /** A 401 for a control call without the control token, when the double has one. */
  admitControl(authorization: string | undefined): void {
    this.checkControlToken?.(authorization);
  }

  /** The handler of an engine operation in a namespace running `scenario`: Prism's examples in spec-examples mode. */
  handler(operation: CompiledOperation, scenario: ScenarioDocument): Handler {
    if (scenario.mode === 'spec-examples') return this.specExampleHandler(operation, scenario);
    // Every engine operation has one: the constructor checks.
    return this.routes.get(operation.id)!;
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


interface ParsedUrl {
  /** As sent: no dot-segment resolution, no decoding, so traversal attempts reach the validators intact. */
  pathname: string;
  query: Record<string, string | string[]>;
}

function parseUrl(url: string): ParsedUrl {
  const mark = url.indexOf('?');
  const pathname = mark === -1 ? url : url.slice(0, mark);
  const query: Record<string, string | string[]> = {};
  if (mark !== -1) {
    for (const [key, value] of new URLSearchParams(url.slice(mark + 1))) {
      const seen = query[key];
      query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
  }
  return { pathname, query };
}

function firstValues(query: Record<string, string | string[]>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** The Content-Length a request declared, when it is a number. */
function contentLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) ? declared : undefined;
}

/** What the stages before sending found out; filled as they run, so a refusal's journal entry says how far it got. */
interface Outcome {
  operation?: CompiledOperation;
  /** Absent when the namespace header was refused. */
  namespace?: string;
  fault?: FaultRule;
  /** Absent when a fault drops the connection. */
  response?: EngineResponse;
  requestViolations: ErrorEntry[];
  /** Deviations from the contract tolerated as real engines tolerate them (src/validation/tolerance.ts). */
  requestWarnings: RequestWarning[];
  /** The request body as read (kept for the dashboard even when validation refused it). */
  requestBody?: unknown;
  /** Proxy mode: the engine's answer, already sent. */
  relayed?: Relayed;
  /** The request as the journal keeps it and matchers see it; its body once read. */
  recorded?: RecordedRequest;
  /** The stub that answered, if one did. */
  stub?: { id: number; contractOff: boolean };
}

/** Runs a stage whose refusals are contract violations of the request (routing, body, parameters): the journal lists them. */
async function contractStage<T>(outcome: Outcome, stage: () => T | Promise<T>): Promise<T> {
  try {
    return await stage();
  } catch (error) {
    if (error instanceof DoubleError) outcome.requestViolations = error.entries;
    throw error;
  }
}

/** Waits `ms`, or less if the client goes away meanwhile (nothing then keeps the process waiting). */
async function injectedLatency(ms: number, res: ServerResponse): Promise<void> {
  const gone = new AbortController();
  const abort = () => gone.abort();
  res.once('close', abort);
  try {
    await sleep(ms, undefined, { signal: gone.signal });
  } catch {
    // Aborted: the client left; the request is handled as a real engine would, its answer goes nowhere.
  } finally {
    res.off('close', abort);
  }
}

/** The fault stage: latency, then 'drop', or the fault's status thrown as INJECTED_FAULT, or on to normal handling. */
export async function applyFault(fault: FaultRule, res: ServerResponse): Promise<'drop' | 'continue'> {
  if (fault.latencyMs) await injectedLatency(fault.latencyMs, res);
  if (fault.drop) return 'drop';
  if (fault.status !== undefined) {
    throw errorWithStatus(fault.status, `fault rule ${fault.id} (${fault.method ?? 'any method'} ${fault.path}) answers this request with ${fault.status}`, { faultRule: fault.id });
  }
  return 'continue';
}

/** admit → handler: control calls go to the control routes, engine calls through the gatekeeper to their namespace's world. */
async function respond(runtime: DoubleRuntime, operation: CompiledOperation, request: EngineRequest, namespace: string): Promise<EngineResponse> {
  if (isControlOperation(operation.id)) return controlRoutes[operation.id](request, { runtime, namespace });
  // Read once: a scenario switch while the gatekeeper verifies a token must not split this request across two worlds.
  const { model, scenario } = runtime.namespaces.get(namespace);
  // 401/403 before any state is touched.
  const caller = await runtime.gatekeeper.admit(operation, request.params, request.headers, model);
  const handle = runtime.handler(operation, scenario);
  const context = { model, stats: runtime.stats, ...caller };
  // All or nothing: a handler that throws, refuses, or answers what strict validation will replace
  // by a 500 leaves the world as it found it. (An async handler of your own is kept as it answers.)
  return model.transaction(
    () => handle(request, context),
    (response) => response instanceof Promise || (response.status < 400 && (runtime.validation === 'warn' || responseProblems(runtime.contract, operation, response).length === 0)),
  );
}

/**
 * Proxy mode, for every path but the control API's: match (a miss is journaled, not refused) →
 * fault → the real engine answers, and its answer is sent as it came (src/proxy/relay.ts).
 */
async function relay(runtime: DoubleRuntime, proxy: EngineProxy, req: IncomingMessage, res: ServerResponse, outcome: Outcome, { pathname, query }: ParsedUrl): Promise<Outcome> {
  const method = req.method ?? 'GET';
  let hit: RouteHit | undefined;
  try {
    hit = runtime.router.match(method, pathname);
  } catch (error) {
    if (!(error instanceof DoubleError)) throw error;
    outcome.requestViolations = error.entries;
  }
  outcome.operation = hit?.operation;
  outcome.fault = hit ? runtime.namespaces.get(outcome.namespace ?? '').faults.take(method, pathname) : undefined;
  if (outcome.fault && (await applyFault(outcome.fault, res)) === 'drop') return outcome;
  outcome.relayed = await proxy.forward(req, res, hit, query);
  outcome.requestViolations.push(...outcome.relayed.requestViolations);
  outcome.requestWarnings.push(...outcome.relayed.requestWarnings);
  return outcome;
}

/**
 * HTTP/1.1 requires Host (RFC 9112 §3.2). Node would refuse a request without it with a bare 400
 * before any handler runs; the server lets it through (requireHostHeader: false) so the refusal
 * has the error shape and a journal entry.
 */
function requireHost(req: IncomingMessage): void {
  if (req.headers.host !== undefined || req.httpVersion !== '1.1') return;
  throw doubleError('malformedHttp', { detail: 'an HTTP/1.1 request must carry a Host header', source: { header: 'host' } });
}

/** namespace → match → control token → fault → read + validate request → admit → handler. Never throws: every failure is already a response. */
async function runOperation(runtime: DoubleRuntime, req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
  const outcome: Outcome = { requestViolations: [], requestWarnings: [] };
  try {
    await contractStage(outcome, () => requireHost(req));
    const method = req.method ?? 'GET';
    const { pathname: sentPath, query } = parseUrl(req.url ?? '/');
    outcome.recorded = recordRequest(method, sentPath, query, req.headers);
    const namespace = namespaceOf(req.headers);
    outcome.namespace = namespace;
    // Proxy mode has no base path (the constructor refuses both).
    if (runtime.proxy?.relays(sentPath)) return await relay(runtime, runtime.proxy, req, res, outcome, { pathname: sentPath, query });
    const { operation, rawParams: routedParams } = await contractStage(outcome, () => matchUnderBasePath(runtime.basePath, method, sentPath, (m, p) => runtime.router.match(m, p)));
    // Matched, so the path is under the prefix or a control path sent without it.
    const pathname = stripBasePath(runtime.basePath, sentPath) ?? sentPath;
    // Matchers (stubs, verification) see the path the contract knows, whatever prefix the engine runs under.
    outcome.recorded.pathname = pathname;
    outcome.operation = operation;
    outcome.recorded.operationId = operation.id;
    const { rawParams, warning: pathWarning } = decodeMediaPathSeparators(operation, routedParams);
    if (pathWarning) outcome.requestWarnings.push(pathWarning);
    if (operation.source === 'control') runtime.admitControl(controlAuthorization(operation.id, req.headers.authorization, query));
    // Faults hit engine calls only: the control API must stay usable to clear them.
    outcome.fault = operation.source === 'engine' ? runtime.namespaces.get(namespace).faults.take(method, pathname) : undefined;
    if (outcome.fault && (await applyFault(outcome.fault, res)) === 'drop') return outcome;
    const body = await contractStage(outcome, () => readRequestBody(req, operation, runtime.bodyLimit, outcome.requestWarnings, runtime.bodyTimeoutMs));
    outcome.requestBody = body;
    const recordedBody = recordBody(body, runtime.journalBodyLimit, contentLength(req));
    if (recordedBody) outcome.recorded.body = recordedBody;
    const params = await contractStage(outcome, () => validateRequest(operation, { rawParams, query, headers: req.headers, body }));
    // Stubs answer engine calls before the world does (and before the gatekeeper: a stub may stand in for a 401).
    const stubbed = operation.source === 'engine' ? runtime.namespaces.get(namespace).stubs.take(outcome.recorded) : undefined;
    if (stubbed) {
      outcome.stub = { id: stubbed.id, contractOff: stubbed.contractOff };
      outcome.response = stubbed.response;
      return outcome;
    }
    outcome.response = await respond(runtime, operation, { params, rawParams, query: firstValues(query), headers: req.headers, body }, namespace);
  } catch (error) {
    outcome.response = errorResponse(error);
  }
  return outcome;
}

/** In strict mode a response that breaks the contract is replaced by a 500 that says how. */
function enforceContract(runtime: DoubleRuntime, operation: CompiledOperation | undefined, response: EngineResponse, problems: Problem[], contractOff = false): EngineResponse {
  if (problems.length === 0 || contractOff) return response;
  const label = `${operation?.id ?? 'unmatched request'} ${response.status}`;
  runtime.log(`contract violation in ${label}: ${problems.map((p) => p.detail).join('; ')}`);
  if (runtime.validation === 'warn') return response;
  return errorResponse(
    doubleError(
      'responseContractViolation',
      problems.map((p) => ({ ...p, meta: { ...p.meta, operation: operation?.id ?? null, status: response.status } })),
    ),
  );
}

/** The violation every answer of a contract-off stub is journaled with, so no test relies on one unnoticed. */
function contractOffProblem(stubId: number): Problem {
  return {
    detail: `answered by stub ${stubId}, registered with "contract": "off": its answers are not checked against the engine's contract`,
    meta: { rule: 'stubContractOff', stub: stubId },
  };
}

/** Sends the response; returns the body as written (bytes or JSON text): its size for the metrics, the text for the dashboard's capture. */
function send(res: ServerResponse, response: EngineResponse): string | Buffer | undefined {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.stream) {
    res.flushHeaders();
    response.stream(res);
    return undefined;
  }
  if (response.body === undefined) {
    res.end();
    return undefined;
  }
  if (Buffer.isBuffer(response.body)) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
    res.end(response.body);
    return response.body;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  const json = JSON.stringify(response.body);
  res.end(json);
  return json;
}

/**
 * Node's HTTP parser refuses some requests before any handler runs (an unknown method, a broken
 * header line): answer those in the error shape too, then close, instead of Node's bare 400.
 */
export function answerClientError(error: Error, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, body } = errorResponse(doubleError('malformedHttp', { detail: `the request could not be parsed: ${error.message}` }));
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
}

/** Sends; a response Node refuses to write (a header value with a line break, say) becomes a 500, never a crash. */
export function sendOrFail(runtime: DoubleRuntime, res: ServerResponse, response: EngineResponse): string | Buffer | undefined {
  try {
    return send(res, response);
  } catch (error) {
    runtime.log(`could not send the response: ${error instanceof Error ? error.message : String(error)}`);
    if (res.headersSent) {
      res.destroy();
      return undefined;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    return send(res, errorResponse(error));
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
      if (!res.headersSent) sendOrFail(runtime, res, errorResponse(error));
      else res.destroy();
    }
  };
}

function serveRequest(runtime: DoubleRuntime) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    runtime.stats.calls += 1;
    runtime.stats.active += 1;
    let outcome: Outcome;
    try {
      outcome = await runOperation(runtime, req, res);
    } finally {
      runtime.stats.active -= 1;
    }
    const { operation, namespace, fault, response, relayed, requestViolations, requestWarnings, recorded, stub, requestBody } = outcome;
    let problems: Problem[] = [];
    let written: string | Buffer | undefined;
    let bytes = 0;
    if (relayed) {
      problems = relayed.responseViolations; // journaled only: the engine's answer went out as it came
      if (operation) runtime.coverage.record(operation.id, relayed.status);
      bytes = Number(res.getHeader('content-length') ?? 0) || 0;
    } else if (response === undefined) {
      res.destroy(); // the fault drops the connection: no status, no bytes
    } else {
      problems = responseProblems(runtime.contract, operation, response);
      written = sendOrFail(runtime, res, enforceContract(runtime, operation, response, problems, stub?.contractOff));
      bytes = written === undefined ? 0 : Buffer.byteLength(written);
      if (stub?.contractOff) problems = [contractOffProblem(stub.id), ...problems];
      if (operation?.source === 'engine') runtime.coverage.record(operation.id, res.statusCode);
    }
    const durationMs = performance.now() - started;
    runtime.exchangeEnded({
      method: req.method ?? 'GET',
      ...(operation ? { operation: { source: operation.source, path: operation.path } } : {}),
      ...(response || relayed ? { status: res.statusCode } : {}),
      durationSeconds: durationMs / 1000,
      bytes,
    });
    const entry = runtime.journal.record({
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: redactUrl(req.url ?? '/'),
      ...(operation ? { operationId: operation.id } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(response || relayed ? { status: res.statusCode } : {}),
      durationMs: Math.round(durationMs * 1000) / 1000,
      ...(fault ? { fault } : {}),
      requestViolations,
      ...(requestWarnings.length > 0 ? { requestWarnings } : {}),
      responseViolations: problems,
      ...(recorded ? { request: { query: recorded.query, headers: recorded.headers, ...(recorded.body ? { body: recorded.body } : {}) } } : {}),
      ...(stub ? { stub: stub.id } : {}),
    });
    // Proxy mode keeps the entry only: the engine's answer streamed through untouched.
    if (!relayed) {
      runtime.exchanges.keep(entry.sequence, {
        request: captureMessage(req.headers, requestBody, recorded?.pathname),
        ...(response ? { response: captureMessage(res.getHeaders(), written, recorded?.pathname) } : {}),
      });
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
