/**
 * The stages of the request path, in the order they run (src/server.ts composes them into one
 * list; docs/architecture.md draws it). Each is made from the few services it uses and returns a
 * value (src/pipeline/call.ts); none throws to steer the call.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DoubleError, doubleError, errorResponse, errorWithStatus, type Problem } from '../errors';
import type { Gatekeeper } from '../auth/gatekeeper';
import type { Coverage } from '../control/coverage';
import type { FaultRule } from '../control/faults';
import type { Journal, JournalEntry } from '../control/journal';
import { namespaceOf, type Namespaces } from '../control/namespaces';
import { recordBody, recordRequest } from '../control/recorded-request';
import { redactUrl } from '../control/redact';
import { controlRoutes, isControlOperation } from '../control/routes';
import type { ControlServices } from '../control/services';
import { controlAuthorization } from '../dashboard/page';
import { captureMessage, keptRequestBody, sentResponse, type ExchangeLog } from '../dashboard/exchanges';
import type { EngineProxy } from '../proxy/relay';
import type { EngineRequest, EngineResponse, EngineStats, Exchange, Handler } from '../routes/types';
import type { ScenarioDocument } from '../scenarios/types';
import type { CompiledOperation, Contract } from '../spec/contract';
import type { Router } from '../spec/router';
import { matchUnderBasePath } from '../base-path';
import { missingBody, readRequestBody, validateRequest } from '../validation/request';
import { responseProblems } from '../validation/response';
import { decodeMediaPathSeparators, JSON_MEDIA_TYPE, type RequestWarning } from '../validation/tolerance';
import { answer, attempt, done, isPromise, next, refuse, type Call, type CallKind, type Stage, type StageResult } from './call';

const HTTP_CALLS: readonly CallKind[] = ['engine', 'control', 'relay'];
/** The calls of the other doors: a QIX websocket upgrade, a request to the metrics port. */
const DOOR_CALLS: readonly CallKind[] = ['qix', 'metrics'];
/** Every call that came over a socket. */
const SOCKET_CALLS: readonly CallKind[] = [...HTTP_CALLS, ...DOOR_CALLS];

export type ValidationMode = 'strict' | 'warn';

/**
 * HTTP/1.1 requires Host (RFC 9112 §3.2). Node would refuse a request without it with a bare 400
 * before any handler runs; the server lets it through (requireHostHeader: false) so the refusal
 * has the error shape and a journal entry.
 */
export const hostStage: Stage = {
  name: 'host',
  kinds: SOCKET_CALLS,
  phase: 'answering',
  refusalsAreViolations: true,
  run: (call) => {
    const req = call.http?.req;
    if (req === undefined || req.headers.host !== undefined || req.httpVersion !== '1.1') return next(call);
    return refuse(call, doubleError('malformedHttp', { detail: 'an HTTP/1.1 request must carry a Host header', source: { header: 'host' } }));
  },
};

/** Splits the URL as sent: no dot-segment resolution, no decoding, so traversal attempts reach the validators intact. */
function parseUrl(url: string): { pathname: string; query: Record<string, string | string[]> } {
  const mark = url.indexOf('?');
  const pathname = mark === -1 ? url : url.slice(0, mark);
  const query: Record<string, string | string[]> = {};
  if (mark !== -1) {
    for (const [key, value] of new URLSearchParams(url.slice(mark + 1))) {
      const seen = query[key];
      // Pushed, not copied: a URL that repeats one key thousands of times stays linear.
      if (Array.isArray(seen)) seen.push(value);
      else query[key] = seen === undefined ? value : [seen, value];
    }
  }
  return { pathname, query };
}

/** Path and query; the request as matchers see it; in proxy mode, every API path but the control API's is relayed. */
export function urlStage(proxy: Pick<EngineProxy, 'relays'> | undefined): Stage {
  return {
    name: 'url',
    kinds: SOCKET_CALLS,
    phase: 'answering',
    run: (call) => {
      const { pathname, query } = parseUrl(call.http?.req.url ?? '/');
      const recorded = recordRequest(call.method, pathname, query, call.headers);
      return next({ ...call, sentPath: pathname, pathname, query, recorded, kind: call.kind === 'engine' && proxy?.relays(pathname) ? 'relay' : call.kind });
    },
  };
}

/** The namespace header: absent is the default namespace; a bad name is a 400. The namespace is not made here. */
export const namespaceStage: Stage = {
  name: 'namespace',
  kinds: ['engine', 'control', 'relay', 'in-process', ...DOOR_CALLS],
  phase: 'answering',
  run: (call) => attempt(call, () => next({ ...call, namespace: namespaceOf(call.headers) })),
};

/** The contract's operation for method and path (under the base path, if one is set); another door's calls, the door's own paths. */
export function routeStage(router: Router<CompiledOperation>, basePath: string): Stage {
  return {
    name: 'route',
    kinds: SOCKET_CALLS,
    phase: 'answering',
    refusalsAreViolations: true,
    run: (call) =>
      attempt(call, () => {
        if (call.door) return call.door.route(call);
        if (call.kind === 'relay') return relayRoute(router, call);
        const sentPath = call.sentPath ?? '/';
        // `pathname`: the path the router matched, the base path stripped.
        const { operation, rawParams: routed, pathname } = matchUnderBasePath(basePath, call.method, sentPath, (m, p) => ({ ...router.match(m, p), pathname: p }));
        const { rawParams, warning } = decodeMediaPathSeparators(operation, routed);
        // Matchers (stubs, verification) see the path the contract knows, whatever prefix the engine runs under.
        const recorded = call.recorded && { ...call.recorded, pathname, operationId: operation.id };
        return next({
          ...call,
          kind: operation.source === 'control' ? 'control' : call.kind,
          operation,
          rawParams,
          pathname,
          ...(recorded ? { recorded } : {}),
          requestWarnings: warning ? [...call.requestWarnings, warning] : call.requestWarnings,
        });
      }),
  };
}

/** Proxy mode relays what matches no operation too: the miss is journaled, not refused. */
async function relayRoute(router: Router<CompiledOperation>, call: Call): Promise<StageResult> {
  const routed = await attempt(call, () => {
    const { operation, rawParams } = router.match(call.method, call.sentPath ?? '/');
    return next({ ...call, operation, rawParams });
  });
  if (routed.to !== 'refuse') return routed;
  return next({ ...call, requestViolations: routed.error instanceof DoubleError ? routed.error.entries : [] });
}

/** A 401 for a control call without the control token, when the double has one (the dashboard's page may carry it in its query). */
export function controlTokenStage(check: ((authorization: string | undefined) => void) | undefined): Stage {
  return {
    name: 'control-token',
    kinds: ['control'],
    phase: 'answering',
    run: (call) =>
      attempt(call, () => {
        check?.(controlAuthorization(call.operation?.id ?? '', call.headers.authorization, call.query));
        return next(call);
      }),
  };
}

/** Whether another door can take its call now (the QIX door: not in proxy mode, under its socket limit), before faults and the world. */
export const capacityStage: Stage = {
  name: 'capacity',
  kinds: ['qix'],
  phase: 'answering',
  run: (call) => attempt(call, () => call.door?.capacity?.(call) ?? next(call)),
};

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

/** A fault rule's effect: latency (unless `delays` is false), then 'drop', the fault's status as the error to answer with, or 'continue'. */
async function applyFault(fault: FaultRule, res: ServerResponse, delays = true): Promise<'drop' | 'continue' | ReturnType<typeof errorWithStatus>> {
  if (fault.latencyMs && delays) await injectedLatency(fault.latencyMs, res);
  if (fault.drop) return 'drop';
  if (fault.status !== undefined) {
    return errorWithStatus(fault.status, `fault rule ${fault.id} (${fault.method ?? 'any method'} ${fault.path}) answers this request with ${fault.status}`, { faultRule: fault.id });
  }
  return 'continue';
}

/**
 * Fault rules hit engine calls, QIX upgrades and metrics scrapes, never the control API (it must
 * stay usable to clear them); a relayed call only when it matched an operation. A namespace that
 * does not exist yet has no rules: it is looked up, never made. A websocket's latency delays its
 * answers (src/qix), not its upgrade.
 */
export function faultStage(namespaces: Pick<Namespaces, 'find'>): Stage {
  return {
    name: 'fault',
    kinds: ['engine', 'relay', ...DOOR_CALLS],
    phase: 'answering',
    run: (call) => {
      const { http, operation, pathname } = call;
      if (!http || (!operation && !call.door) || pathname === undefined) return next(call);
      const fault = namespaces.find(call.namespace ?? '')?.faults.take(call.method, pathname);
      if (!fault) return next(call);
      const faulted = { ...call, fault };
      return applyFault(fault, http.res, call.kind !== 'qix').then((effect) => {
        if (effect === 'drop') return done({ ...faulted, dropped: true });
        return effect === 'continue' ? next(faulted) : refuse(faulted, effect);
      });
    },
  };
}

/** Request bodies: how large, how slow, and how much of one the journal keeps. */
export interface BodyLimits {
  bodyLimit: number;
  bodyTimeoutMs: number;
  journalBodyLimit: number;
}

/** Reads the body (size, time and Content-Type checked; tolerated deviations become warnings); in process, the body given must be there if required. */
export function bodyStage(limits: BodyLimits): Stage {
  return {
    name: 'body',
    kinds: ['engine', 'control', 'in-process'],
    phase: 'answering',
    refusalsAreViolations: true,
    run: (call) =>
      attempt(call, () => {
        const { operation, http } = call;
        if (!operation) return next(call);
        if (!http) {
          if (operation.body?.required && call.body === undefined) {
            return refuse(call, missingBody(operation, [JSON_MEDIA_TYPE]));
          }
          return next(call);
        }
        // An operation without a body reads none (readRequestBody would answer undefined): no promise for it.
        if (!operation.body) return next(call);
        const warnings: RequestWarning[] = [];
        return readRequestBody(http.req, operation, limits.bodyLimit, warnings, limits.bodyTimeoutMs).then(({ value: body, bytes }) => {
          const recordedBody = recordBody(body, limits.journalBodyLimit, bytes);
          const recorded = call.recorded && recordedBody ? { ...call.recorded, body: recordedBody } : call.recorded;
          return next({ ...call, body, ...(recorded ? { recorded } : {}), requestWarnings: [...call.requestWarnings, ...warnings] });
        });
      }),
  };
}

/** Path, query, header parameters and body against the operation's contract. */
export const validateStage: Stage = {
  name: 'validate',
  kinds: ['engine', 'control', 'in-process'],
  phase: 'answering',
  refusalsAreViolations: true,
  run: (call) =>
    attempt(call, () => {
      const { operation } = call;
      if (!operation) return next(call);
      const params = validateRequest(operation, { rawParams: { ...call.rawParams }, query: { ...call.query }, headers: call.headers, body: call.body });
      return next({ ...call, params });
    }),
};

/** Stubs answer engine calls before the world does (and before the gatekeeper: a stub may stand in for a 401). A namespace not made yet has none. */
export function stubStage(namespaces: Pick<Namespaces, 'find'>): Stage {
  return {
    name: 'stub',
    kinds: ['engine'],
    phase: 'answering',
    run: (call) => {
      const stubbed = call.recorded && namespaces.find(call.namespace ?? '')?.stubs.take(call.recorded);
      if (!stubbed) return next(call);
      return answer({ ...call, stub: { id: stubbed.id, contractOff: stubbed.contractOff } }, stubbed.response);
    },
  };
}

/** The namespace with its world, made on first use: only now, so a refused call never makes one. Beyond the limit: 429. */
export function worldStage(namespaces: Pick<Namespaces, 'get'>): Stage {
  return {
    name: 'world',
    kinds: ['engine', ...DOOR_CALLS],
    phase: 'answering',
    run: (call) => attempt(call, () => next({ ...call, resolvedNamespace: namespaces.get(call.namespace ?? '') })),
  };
}

/** 401/403 before any state is touched: identity from the bearer token, the operation's permission (a QIX socket: the identity alone). */
export function admitStage(gatekeeper: Pick<Gatekeeper, 'admit' | 'identify'>): Stage {
  return {
    name: 'admit',
    kinds: ['engine', 'qix'],
    phase: 'answering',
    run: (call) =>
      attempt(call, () => {
        const { operation, resolvedNamespace } = call;
        if (!resolvedNamespace) return next(call);
        if (!operation) return call.door ? gatekeeper.identify(call.headers, resolvedNamespace.model).then((caller) => next({ ...call, caller })) : next(call);
        const caller = gatekeeper.admit(operation, { ...call.params }, call.headers, resolvedNamespace.model);
        return isPromise(caller) ? caller.then((admitted) => next({ ...call, caller: admitted })) : next({ ...call, caller });
      }),
  };
}

/** What the engine handler stage uses. */
export interface EngineHandling {
  /** The handler of an operation in a namespace running `scenario`. */
  handler(operation: CompiledOperation, scenario: ScenarioDocument): Handler;
  stats: EngineStats;
  contract: Contract;
  validation: ValidationMode;
}

function firstValues(query: Readonly<Record<string, string | string[]>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** The request handlers see: validated parameters, the first of repeated query values, the body as read. */
function engineRequest(call: Call): EngineRequest {
  return { params: { ...call.params }, rawParams: { ...call.rawParams }, query: firstValues(call.query), headers: call.headers, body: call.body };
}

/** The handler: control calls to the control routes, engine calls to their namespace's world, all or nothing; another door's calls to the door. */
export function handleStage(engine: EngineHandling, control: ControlServices): Stage {
  return {
    name: 'handle',
    kinds: ['engine', 'control', 'in-process', ...DOOR_CALLS],
    phase: 'answering',
    run: (call) =>
      attempt(call, () => {
        if (call.door) return call.door.handle(call);
        const { operation, resolvedNamespace, caller } = call;
        if (!operation) return refuse(call, new Error('no operation was routed'));
        const request = engineRequest(call);
        if (isControlOperation(operation.id)) {
          const response = controlRoutes[operation.id](request, { services: control, namespace: call.namespace ?? '' });
          return isPromise(response) ? response.then((answered) => answer(call, answered)) : answer(call, response);
        }
        if (!resolvedNamespace || !caller) return refuse(call, new Error(`${operation.id} reached its handler without a namespace or an admitted caller`));
        // Read once: a scenario switch while the gatekeeper verified a token must not split this request across two worlds.
        const { model, scenario } = resolvedNamespace;
        const handle = engine.handler(operation, scenario);
        const context = { model, stats: engine.stats, ...caller };
        // All or nothing: a handler that throws, refuses, or answers what strict validation will replace
        // by a 500 leaves the world as it found it. (An async handler of your own is kept as it answers.)
        let checked: Call['checkedResponse'];
        const response = model.transaction(
          () => handle(request, context),
          (response) => {
            if (response instanceof Promise) return true;
            if (response.status >= 400) return false;
            if (engine.validation === 'warn') return true;
            checked = { response, problems: responseProblems(engine.contract, operation, response) };
            return checked.problems.length === 0;
          },
        );
        const answering = (kept: EngineResponse) => answer(checked ? { ...call, checkedResponse: checked } : call, kept);
        return isPromise(response) ? response.then(answering) : answering(response);
      }),
  };
}

/** Proxy mode: the real engine answers; its answer is streamed to the client as it came (src/proxy/relay.ts). */
export function forwardStage(proxy: Pick<EngineProxy, 'forward'> | undefined): Stage {
  return {
    name: 'forward',
    kinds: ['relay'],
    phase: 'answering',
    run: (call) =>
      attempt(call, async () => {
        if (!proxy || !call.http) return refuse(call, new Error('a relayed call without a proxy'));
        const hit = call.operation && call.rawParams ? { operation: call.operation, rawParams: { ...call.rawParams } } : undefined;
        const relayed = await proxy.forward(call.http.req, call.http.res, hit, { ...call.query });
        return done({
          ...call,
          relayed,
          requestViolations: [...call.requestViolations, ...relayed.requestViolations],
          requestWarnings: [...call.requestWarnings, ...relayed.requestWarnings],
        });
      }),
  };
}

/** The violation every answer of a contract-off stub is journaled with, so no test relies on one unnoticed. */
function contractOffProblem(stubId: number): Problem {
  return {
    detail: `answered by stub ${stubId}, registered with "contract": "off": its answers are not checked against the engine's contract`,
    meta: { rule: 'stubContractOff', stub: stubId },
  };
}

/**
 * The answer against the contract. In strict mode one that breaks it is replaced by a 500 that
 * says how (a contract-off stub's is journaled, not replaced); a relayed answer was only watched.
 */
export function checkResponseStage(services: { contract: Contract; validation: ValidationMode; log: (line: string) => void }): Stage {
  return {
    name: 'check-response',
    kinds: HTTP_CALLS,
    phase: 'finishing',
    run: (call) => {
      if (call.relayed) return next({ ...call, responseViolations: call.relayed.responseViolations });
      const { response, operation, stub } = call;
      if (!response) return next(call);
      // The handle stage checked its own answer to decide whether to keep the world's changes: not twice.
      const problems = call.checkedResponse?.response === response ? call.checkedResponse.problems : responseProblems(services.contract, operation, response);
      const journaled = stub?.contractOff ? [contractOffProblem(stub.id), ...problems] : problems;
      if (problems.length === 0 || stub?.contractOff) return next({ ...call, responseViolations: journaled });
      services.log(`contract violation in ${operation?.id ?? 'unmatched request'} ${response.status}: ${problems.map((p) => p.detail).join('; ')}`);
      if (services.validation === 'warn') return next({ ...call, responseViolations: journaled });
      const violation = doubleError(
        'responseContractViolation',
        problems.map((p) => ({ ...p, meta: { ...p.meta, operation: operation?.id ?? null, status: response.status } })),
      );
      return next({ ...call, responseViolations: journaled, response: errorResponse(violation) });
    },
  };
}

/** Writes the response; returns the body as written (bytes or JSON text). */
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

/** Sends; a response Node refuses to write (a header value with a line break, say) becomes a 500, never a crash. */
export function sendOrFail(log: (line: string) => void, res: ServerResponse, response: EngineResponse): string | Buffer | undefined {
  try {
    return send(res, response);
  } catch (error) {
    log(`could not send the response: ${error instanceof Error ? error.message : String(error)}`);
    if (res.headersSent) {
      res.destroy();
      return undefined;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    return send(res, errorResponse(error));
  }
}

/** Sends the answer (a relayed one went out as it came, an accepted upgrade's 101 too); a dropped call's connection is cut. */
export function sendStage(log: (line: string) => void): Stage {
  return {
    name: 'send',
    kinds: SOCKET_CALLS,
    phase: 'finishing',
    run: (call) => {
      const res = call.http?.res;
      if (!res || call.relayed || call.upgraded) return next(call);
      if (!call.response) {
        res.destroy(); // the fault drops the connection: no status, no bytes
        return next(call);
      }
      const written = sendOrFail(log, res, call.response);
      return next(written === undefined ? call : { ...call, written });
    },
  };
}

/** How often each engine operation answered each status. */
export function coverageStage(coverage: Pick<Coverage, 'record'>): Stage {
  return {
    name: 'coverage',
    kinds: ['engine', 'relay'],
    phase: 'finishing',
    run: (call) => {
      const { operation, http } = call;
      if (operation?.source === 'engine' && http && (call.response || call.relayed)) coverage.record(operation.id, call.relayed?.status ?? http.res.statusCode);
      return next(call);
    },
  };
}

/** Whether the call got a status (a dropped one did not). */
function answered(call: Call): boolean {
  return call.response !== undefined || call.relayed !== undefined || call.upgraded === true;
}

/** Tells the exchange listeners (the metrics door) about the finished call. */
export function exchangeStage(exchangeEnded: (exchange: Exchange) => void): Stage {
  return {
    name: 'exchange',
    kinds: HTTP_CALLS,
    phase: 'finishing',
    run: (call) => {
      const { operation, http } = call;
      const relayedBytes = call.relayed ? Number(http?.res.getHeader('content-length') ?? 0) || 0 : 0;
      exchangeEnded({
        method: call.method,
        ...(operation ? { operation: { source: operation.source, path: operation.path } } : {}),
        ...(answered(call) && http ? { status: http.res.statusCode } : {}),
        durationSeconds: (performance.now() - call.started) / 1000,
        bytes: call.written === undefined ? relayedBytes : Buffer.byteLength(call.written),
      });
      return next(call);
    },
  };
}

/** Milliseconds since `started` (performance.now()), as the journal keeps them: to the microsecond. */
export function journaledDuration(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** The journal entry of the call, and (except for relayed calls, which streamed through untouched) its exchange for the dashboard. */
export function journalStage(journal: Pick<Journal, 'record'>, exchanges: Pick<ExchangeLog, 'keep'>): Stage {
  return {
    name: 'journal',
    kinds: SOCKET_CALLS,
    phase: 'finishing',
    run: (call) => {
      const { operation, namespace, fault, recorded, stub, http } = call;
      // Field by field, in the order the journal shows them: no object made and spread per optional field.
      const journaled: Partial<Omit<JournalEntry, 'sequence'>> = { time: new Date().toISOString(), method: call.method, path: redactUrl(http?.req.url ?? '/') };
      if (operation) journaled.operationId = operation.id;
      if (call.kind === 'qix' || call.kind === 'metrics') journaled.door = call.kind;
      if (namespace !== undefined) journaled.namespace = namespace;
      if (answered(call) && http) journaled.status = http.res.statusCode;
      journaled.durationMs = journaledDuration(call.started);
      if (fault) journaled.fault = fault;
      journaled.requestViolations = [...call.requestViolations];
      if (call.requestWarnings.length > 0) journaled.requestWarnings = [...call.requestWarnings];
      journaled.responseViolations = [...(call.responseViolations ?? [])];
      if (recorded) journaled.request = recorded.body ? { query: recorded.query, headers: recorded.headers, body: recorded.body } : { query: recorded.query, headers: recorded.headers };
      if (stub) journaled.stub = stub.id;
      const entry = journal.record(journaled as Omit<JournalEntry, 'sequence'>);
      if (http && !call.relayed) {
        exchanges.keep(entry.sequence, {
          ...(recorded ? keptRequestBody(recorded, call.body) : { request: captureMessage(http.req.headers, call.body) }),
          ...(call.response ? { response: sentResponse(http.res.getHeaders(), call.written, recorded?.pathname) } : {}),
        });
      }
      return next(call);
    },
  };
}
