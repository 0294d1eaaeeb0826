/**
 * The per-request value the stages pass along (src/pipeline/stages.ts), what a stage returns, and
 * the runner that composes them. A stage never changes the context it is given: it returns an
 * enriched copy to go on with, an answer, a refusal, or "done" (the connection was dropped or the
 * real engine's answer already went out). The runner is the one place a refusal becomes HTTP
 * (`errorResponse`).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { DoubleError, errorResponse, type ErrorEntry, type Problem } from '../errors';
import type { FaultRule } from '../control/faults';
import type { Namespace } from '../control/namespaces';
import type { RecordedRequest } from '../control/request-matcher';
import type { Relayed } from '../proxy/relay';
import type { EngineResponse } from '../routes/types';
import type { CompiledOperation } from '../spec/contract';
import type { RequestWarning } from '../validation/tolerance';
import type { Caller } from '../auth/gatekeeper';

/**
 * The kinds of call the stages serve. An HTTP call starts as `engine`: the URL stage turns the
 * ones proxy mode relays into `relay`, routing turns those of the control contract into `control`.
 * `in-process` is a control call made without a socket (src/control/invoke.ts). The other doors'
 * calls: `qix`, a websocket upgrade on the API port (src/qix), and `metrics`, a request to the
 * metrics port (src/metrics).
 */
export const CALL_KINDS = ['engine', 'control', 'relay', 'in-process', 'qix', 'metrics'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** The socket side of an HTTP call; absent for in-process calls. */
export interface HttpExchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * A door's own part of its calls (src/qix, src/metrics): what it serves and how it answers, in the
 * route and handle stages; the shared stages do the rest (faults, world, identity, send, journal).
 */
export interface DoorRoutes {
  /** The call enriched with what it addresses (`pathname`, `rawParams`), or the 404/405 refusal. */
  route(call: Call): StageResult;
  /** Whether the door can take the call now (proxy mode, its connection limit, a websocket handshake); before faults and the world. */
  capacity?(call: Call): StageResult | Promise<StageResult>;
  /** The door's answer, once the shared stages let the call through. */
  handle(call: Call): StageResult | Promise<StageResult>;
}

/** What the stages know of one call so far; each stage returns a copy with what it found out. */
export interface Call {
  readonly kind: CallKind;
  readonly http?: HttpExchange;
  /** Set for the calls of the other doors (kinds `qix`, `metrics`): their routing and answers. */
  readonly door?: DoorRoutes;
  /** performance.now() when the call arrived. */
  readonly started: number;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The path as sent (with the base path, if any), undecoded. */
  readonly sentPath?: string;
  /** The path the contract knows (base path removed); set once routed. */
  readonly pathname?: string;
  /** Repeated query parameters arrive as arrays, so the validator can refuse them. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** The request as the journal keeps it and matchers see it. */
  readonly recorded?: RecordedRequest;
  /** Absent until the namespace header was read, and when it was refused. */
  readonly namespace?: string;
  readonly operation?: CompiledOperation;
  /** Path parameters as sent, still percent-encoded. */
  readonly rawParams?: Readonly<Record<string, string>>;
  readonly fault?: FaultRule;
  /** The request body as read (kept for the dashboard even when validation refused it). */
  readonly body?: unknown;
  /** Path, query and header parameters, validated and decoded. */
  readonly params?: Readonly<Record<string, string>>;
  /** The namespace the call works in (its scenario, world, rules), resolved once the call was routed and validated; made on first use. */
  readonly resolvedNamespace?: Namespace;
  /** Who calls, once the gatekeeper admitted them. */
  readonly caller?: Caller;
  readonly requestViolations: readonly ErrorEntry[];
  /** Deviations from the contract tolerated as real engines tolerate them (src/validation/tolerance.ts). */
  readonly requestWarnings: readonly RequestWarning[];
  /** The stub that answered, if one did. */
  readonly stub?: { id: number; contractOff: boolean };
  /** Proxy mode: the engine's answer, already sent. */
  readonly relayed?: Relayed;
  /** The answer: the handler's, a stub's, or a refusal's. */
  readonly response?: EngineResponse;
  /** What refused the call, as thrown by the module that refused it (in-process calls rethrow it). */
  readonly refusal?: unknown;
  /** True when a fault dropped the connection: no status, no bytes. */
  readonly dropped?: boolean;
  /** True once a websocket upgrade was accepted: `ws` wrote the 101 on the socket, nothing is sent. */
  readonly upgraded?: boolean;
  /** The handler's answer with its contract problems, as the handle stage checked it to commit: check-response reuses them. */
  readonly checkedResponse?: { readonly response: EngineResponse; readonly problems: readonly Problem[] };
  /** How the answer breaks the contract (journaled). */
  readonly responseViolations?: readonly Problem[];
  /** The body as written (bytes or JSON text): its size for the metrics, the text for the dashboard. */
  readonly written?: string | Buffer;
}

/** What a stage returns. */
export type StageResult =
  | { readonly to: 'next'; readonly call: Call }
  | { readonly to: 'answer'; readonly call: Call; readonly response: EngineResponse }
  | { readonly to: 'refuse'; readonly call: Call; readonly error: unknown }
  /** The call has been dealt with on the socket already (dropped, or relayed). */
  | { readonly to: 'done'; readonly call: Call };

export const next = (call: Call): StageResult => ({ to: 'next', call });
export const answer = (call: Call, response: EngineResponse): StageResult => ({ to: 'answer', call, response });
export const refuse = (call: Call, error: unknown): StageResult => ({ to: 'refuse', call, error });
export const done = (call: Call): StageResult => ({ to: 'done', call });

/**
 * One stage. `answering` stages run until one answers, refuses or is done; `finishing` ones (send,
 * journal…) then always run. A stage whose refusals are contract violations of the request
 * (routing, body, parameters) says so, and the journal lists them.
 */
export interface Stage {
  readonly name: string;
  readonly kinds: readonly CallKind[];
  readonly phase: 'answering' | 'finishing';
  readonly refusalsAreViolations?: boolean;
  run(call: Call): StageResult | Promise<StageResult>;
}

/** Whether a stage (or the work it runs) answered later rather than now. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * Runs `work`; a DoubleError it throws (validators, the router and the model refuse by throwing)
 * becomes the stage's refusal. Synchronous work stays synchronous: no promise is made for it.
 */
export function attempt(call: Call, work: () => StageResult | Promise<StageResult>): StageResult | Promise<StageResult> {
  try {
    const result = work();
    return isPromise(result) ? result.catch((error: unknown) => refusal(call, error)) : result;
  } catch (error) {
    return refusal(call, error);
  }
}

function refusal(call: Call, error: unknown): StageResult {
  if (error instanceof DoubleError) return refuse(call, error);
  throw error;
}

/** The stages composed, and how to run a call through them. */
export interface Pipeline {
  readonly stages: readonly Stage[];
  run(start: Call): Promise<Call>;
}

/** The names of the stages a kind of call runs, in order. */
export function stageNames(stages: readonly Stage[], kind: CallKind): string[] {
  return stages.filter((stage) => stage.kinds.includes(kind)).map((stage) => stage.name);
}

/**
 * Runs the stages that apply to the call's kind (which routing may change), in list order; tells
 * `trace` each stage's name as it runs. A stage that fails unexpectedly while answering refuses
 * with a 500; one that fails while finishing fails the call (the caller of `runStages` answers).
 * Stages run one after the other without waiting until one returns a promise (reading a body,
 * verifying a token): most calls then cost one promise, not one per stage.
 */
export function runStages(stages: readonly Stage[], start: Call, trace?: (stage: string) => void): Promise<Call> {
  // Never in the caller's stack: an in-process call made from inside the double's own work (a hook, a reload) runs after it.
  return Promise.resolve(withEveryField(start)).then((call) => runFrom(stages, 0, call, false, trace));
}

/**
 * The call with every field of Call present, in one order (absent ones undefined): the copies the
 * stages make of it then all share one shape, and the engine keeps their reads of it fast.
 */
function withEveryField(call: Call): Call {
  return {
    kind: call.kind,
    http: call.http,
    door: call.door,
    started: call.started,
    method: call.method,
    headers: call.headers,
    sentPath: call.sentPath,
    pathname: call.pathname,
    query: call.query,
    recorded: call.recorded,
    namespace: call.namespace,
    operation: call.operation,
    rawParams: call.rawParams,
    fault: call.fault,
    body: call.body,
    params: call.params,
    resolvedNamespace: call.resolvedNamespace,
    caller: call.caller,
    requestViolations: call.requestViolations,
    requestWarnings: call.requestWarnings,
    stub: call.stub,
    relayed: call.relayed,
    response: call.response,
    refusal: call.refusal,
    dropped: call.dropped,
    upgraded: call.upgraded,
    checkedResponse: call.checkedResponse,
    responseViolations: call.responseViolations,
    written: call.written,
  } satisfies Required<Record<keyof Call, unknown>>;
}

function runFrom(stages: readonly Stage[], first: number, start: Call, answeredBefore: boolean, trace?: (stage: string) => void): Call | Promise<Call> {
  let call = start;
  let answered = answeredBefore;
  for (let index = first; index < stages.length; index++) {
    const stage = stages[index];
    if (!stage.kinds.includes(call.kind) || (answered && stage.phase === 'answering')) continue;
    trace?.(stage.name);
    if (stage.phase === 'finishing') {
      const result = stage.run(call);
      if (isPromise(result)) return result.then((settled) => runFrom(stages, index + 1, settled.call, answered, trace));
      call = result.call;
      continue;
    }
    let result: StageResult | Promise<StageResult>;
    try {
      result = stage.run(call);
    } catch (error) {
      result = refuse(call, error);
    }
    if (isPromise(result)) {
      const before = call;
      return result.then(
        (settled) => runFrom(stages, index + 1, settle(stage, settled), settled.to !== 'next', trace),
        (error: unknown) => runFrom(stages, index + 1, settle(stage, refuse(before, error)), true, trace),
      );
    }
    call = settle(stage, result);
    answered = result.to !== 'next';
  }
  return call;
}

function settle(stage: Stage, result: StageResult): Call {
  switch (result.to) {
    case 'next':
    case 'done':
      return result.call;
    case 'answer':
      return { ...result.call, response: result.response };
    case 'refuse': {
      const { call, error } = result;
      const violations = stage.refusalsAreViolations && error instanceof DoubleError ? error.entries : call.requestViolations;
      return { ...call, requestViolations: violations, refusal: error, response: errorResponse(error) };
    }
  }
}
