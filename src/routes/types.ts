/**
 * What a route handler sees and returns. Handlers are plain functions of (request, context): they
 * never touch Express's req/res; the server's pipeline validates what they return against the
 * contract before anything is sent.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { CallerAccess } from '../auth/gatekeeper';
import type { Identity } from '../auth/identity';
import type { EngineOperationId, RequestInputs } from '../spec/types';
import type { EngineModel } from '../state/engine';

/** The names of an operation's path parameters, read from its template: `GET /v1/apps/{appId}` → 'appId'. */
export type PathParamNames<Operation extends string> = Operation extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;

/** Path parameters: those of the operation's template are there (routing and validation saw to it). */
export type PathParams<Operation extends string> = Readonly<Record<PathParamNames<Operation>, string>> & Readonly<Record<string, string | undefined>>;

/**
 * A request as its handler sees it, after validation. `Operation` (`METHOD /path/template` of
 * either contract) types it from the spec it was validated against: path parameters from the
 * template, query parameters and body from the operation's parameters.
 */
export interface EngineRequest<Operation extends string = string> {
  /** Path parameters, percent-decoded. */
  params: PathParams<Operation>;
  /** Path parameters as they arrived, still percent-encoded (the media path normaliser wants these). */
  rawParams: PathParams<Operation>;
  /** Query parameters as text (the first of repeated ones), validated against the operation's. */
  query: RequestInputs<Operation>['query'];
  headers: IncomingHttpHeaders;
  /** Parsed JSON for JSON operations, a Buffer for application/octet-stream ones, undefined without a body. */
  body: RequestInputs<Operation>['body'];
}

export interface EngineResponse {
  status: number;
  /** A JSON value, or a Buffer for binary (format: binary) responses; undefined sends no body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A response that stays open (GET /__control/events): called with the socket's response once status and headers are sent; it writes and ends it. */
  stream?: (res: ServerResponse) => void;
}

/** Figures of the running double that outlive scenario switches. */
export interface EngineStats {
  startedAt: Date;
  /** Requests served since start, every route counted (healthcheck's `apps.calls`). */
  calls: number;
  /** Requests being handled right now. */
  active: number;
}

/** One finished request, as the double's observers (the metrics door) see it. */
export interface Exchange {
  method: string;
  /** The operation it matched: its source and path template (never the raw URL). */
  operation?: { source: 'engine' | 'control'; path: string };
  /** Absent when a fault dropped the connection. */
  status?: number;
  durationSeconds: number;
  /** Size of the response body. */
  bytes: number;
}

export interface RouteContext {
  model: EngineModel;
  stats: EngineStats;
  /** Who is calling: from the bearer token in a secured scenario, else the anonymous identity. */
  identity: Identity;
  /** What the caller may do: the privileges NxApp and GET /v1/apps/privileges report. */
  access: CallerAccess;
}

export type Handler<Operation extends string = string> = (request: EngineRequest<Operation>, context: RouteContext) => EngineResponse | Promise<EngineResponse>;

/** One route file's handlers, keyed by the contract's operation (`METHOD /path/template`), each typed by it. */
export type RouteTable = { [Operation in EngineOperationId]?: Handler<Operation> };

/**
 * A table's handlers by operation id, for the stage that calls them with the request of whichever
 * operation was routed. Each handler is typed by its own operation; the stage hands it only a
 * request validated against that operation, which is what those types say.
 */
export function handlersById(table: RouteTable): Map<string, Handler> {
  return new Map(Object.entries(table) as [string, Handler][]);
}
