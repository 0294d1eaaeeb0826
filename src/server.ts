/**
 * Composition: the contract, the engine model, the route tables and the journal, wired into one
 * Express app whose single handler runs every request through the same pipeline:
 *
 *   match (router) → read + validate request → handler → validate response → send → journal
 *
 * Every stage but `send` is a function of data; errors from any stage become HTTP in one place
 * (`errorResponse`), and nothing reaches the socket without passing response validation.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { DoubleError, doubleError, errorResponse, type ErrorEntry, type Problem } from './errors';
import { Journal, DEFAULT_JOURNAL_SIZE } from './control/journal';
import { loadContract, type CompiledOperation, type Contract } from './spec/contract';
import { Router } from './spec/router';
import { readRequestBody, validateRequest } from './validation/request';
import { responseProblems } from './validation/response';
import { healthRoutes } from './routes/health';
import { appRoutes } from './routes/apps';
import { dataRoutes } from './routes/data';
import { mediaRoutes } from './routes/media';
import { sessionRoutes } from './routes/sessions';
import type { EngineResponse, EngineStats, Handler, RouteContext, RouteTable } from './routes/types';
import { EngineModel, type MediaLimits } from './state/engine';
import type { ScenarioDocument } from './scenarios/types';
import { parseByteSize } from './units';

export type ValidationMode = 'strict' | 'warn';

export const DEFAULT_BODY_LIMIT = '50mb';
export const NAMESPACE_HEADER = 'x-engine-double-namespace';

export interface DoubleOptions {
  /** The world the engine starts in. */
  scenario?: ScenarioDocument;
  /** `strict` (default): a response that breaks the contract becomes a 500; `warn`: it is sent and journaled. */
  validation?: ValidationMode;
  /** Largest request body accepted, in bytes or as "50mb"; larger ones get 413. */
  bodyLimit?: number | string;
  /** How many requests the journal keeps. */
  journalSize?: number;
  /** Media limits of every engine model (file size, files per app, path length and depth); over them: 413 or 400. */
  mediaLimits?: Partial<MediaLimits>;
  /** Handlers that replace the double's own for some operations (responses are still validated). */
  routes?: RouteTable;
  /** Where contract violations are reported; stderr by default. */
  log?: (line: string) => void;
}

/** Everything a running double holds; shared by the engine routes and the control API. */
export class DoubleRuntime {
  readonly contract: Contract;
  readonly router: Router<CompiledOperation>;
  readonly journal: Journal;
  readonly stats: EngineStats = { startedAt: new Date(), calls: 0 };
  readonly validation: ValidationMode;
  readonly bodyLimit: number;
  readonly log: (line: string) => void;
  readonly mediaLimits: Partial<MediaLimits>;
  scenario: ScenarioDocument;
  private readonly models = new Map<string, EngineModel>();
  private readonly routes: Map<string, Handler>;

  constructor(options: DoubleOptions = {}) {
    this.contract = loadContract();
    this.router = new Router(this.contract.operations);
    this.journal = new Journal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
    this.validation = options.validation ?? 'strict';
    if (this.validation !== 'strict' && this.validation !== 'warn') {
      throw new Error(`validation must be strict or warn, not ${String(this.validation)}`);
    }
    this.bodyLimit = parseByteSize(options.bodyLimit ?? DEFAULT_BODY_LIMIT);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.scenario = options.scenario ?? { name: 'empty' };
    this.mediaLimits = options.mediaLimits ?? {};
    this.routes = new Map(Object.entries({ ...healthRoutes, ...sessionRoutes, ...appRoutes, ...dataRoutes, ...mediaRoutes, ...options.routes }) as [string, Handler][]);
    for (const id of this.routes.keys()) {
      if (!this.contract.operations.some((op) => op.id === id)) throw new Error(`routes: ${id} is not an operation of the contract`);
    }
    // Made now, not on the first request, so a bad scenario or limit stops the start.
    this.model();
  }

  /** The operations that have a handler (the rest answer 501). */
  routedOperations(): string[] {
    return [...this.routes.keys()];
  }

  /** The model of one namespace (the default one is ''), made from the current scenario on first use. */
  model(namespace = ''): EngineModel {
    let model = this.models.get(namespace);
    if (!model) {
      model = EngineModel.fromScenario(this.scenario, { limits: this.mediaLimits });
      this.models.set(namespace, model);
    }
    return model;
  }

  handler(operationId: string): Handler {
    return this.routes.get(operationId) ?? notImplemented;
  }
}

const notImplemented: Handler = (request) => {
  throw doubleError('notImplemented', { detail: `the double does not implement this operation yet`, meta: { path: request.params } });
};

function namespaceOf(headers: IncomingHttpHeaders): string {
  const value = headers[NAMESPACE_HEADER];
  return (Array.isArray(value) ? value[0] : value) ?? '';
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

interface Outcome {
  operation: CompiledOperation | undefined;
  response: EngineResponse;
  requestViolations: ErrorEntry[];
}

/** match → read + validate request → handler. Never throws: every failure is already a response. */
async function runOperation(runtime: DoubleRuntime, req: IncomingMessage, context: RouteContext): Promise<Outcome> {
  let operation: CompiledOperation | undefined;
  let handling = false;
  try {
    const { pathname, query } = parseUrl(req.url ?? '/');
    const match = runtime.router.match(req.method ?? 'GET', pathname);
    operation = match.operation;
    const body = await readRequestBody(req, operation, runtime.bodyLimit);
    const params = validateRequest(operation, { rawParams: match.rawParams, query, headers: req.headers, body });
    handling = true;
    const handler = runtime.handler(operation.id);
    const response = await handler(
      { params, rawParams: match.rawParams, query: firstValues(query), headers: req.headers, body },
      context,
    );
    return { operation, response, requestViolations: [] };
  } catch (error) {
    const response = errorResponse(error);
    const contractRefusal = !handling && error instanceof DoubleError;
    return { operation, response, requestViolations: contractRefusal ? response.body.errors : [] };
  }
}

/** In strict mode a response that breaks the contract is replaced by a 500 that says how. */
function enforceContract(runtime: DoubleRuntime, operation: CompiledOperation | undefined, response: EngineResponse, problems: Problem[]): EngineResponse {
  if (problems.length === 0) return response;
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

function send(res: ServerResponse, response: EngineResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.body === undefined) {
    res.end();
  } else if (Buffer.isBuffer(response.body)) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
    res.end(response.body);
  } else {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(response.body));
  }
}

export function createRequestHandler(runtime: DoubleRuntime) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    runtime.stats.calls += 1;
    const namespace = namespaceOf(req.headers);
    const context: RouteContext = { model: runtime.model(namespace), stats: runtime.stats };
    const { operation, response, requestViolations } = await runOperation(runtime, req, context);
    const problems = responseProblems(runtime.contract, operation, response);
    send(res, enforceContract(runtime, operation, response, problems));
    runtime.journal.record({
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      operationId: operation?.id ?? null,
      namespace,
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      requestViolations,
      responseViolations: problems,
    });
  };
}

/** The Express app of a double. */
export function createApp(runtime: DoubleRuntime): Express {
  const app = express();
  app.disable('x-powered-by');
  // The contract documents no 304s: never answer conditional requests from an ETag.
  app.set('etag', false);
  app.use(createRequestHandler(runtime));
  return app;
}
