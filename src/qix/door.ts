/**
 * The QIX websocket door: `ws://host:port/app/<appId or engineData>[/ttl/<seconds>]` on the API
 * port. The HTTP server's `upgrade` event comes here first, and the upgrade runs the same stages
 * as a REST call (kind `qix`, src/pipeline/stages.ts): the door's own routing, then the namespace,
 * fault rules, the world and the bearer JWT, each refusing with a plain HTTP status and the
 * double's error body before any upgrade; only then does `ws` take the socket, and the journal
 * stage records the upgrade. Each socket is a session of the namespace's world
 * (src/state/live-sessions.ts); every method call is journaled, in the same journal, with its
 * handle, method, duration and any protocol violation.
 *
 * Limits: a frame over `maxMessageBytes` is closed by `ws` with 1009; more than
 * `maxPendingAnswers` answers waiting (delayed by a fault) or `maxBufferedBytes` of answers the
 * client does not read close the socket with 1008 and a reason; past `maxConnections` open
 * sockets an upgrade gets 503; a frame nested deeper than MAX_JSON_DEPTH (64, as REST bodies) is
 * answered with a parse error before it is decoded. Nothing a client sends can crash the double.
 */
import { randomUUID } from 'node:crypto';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { detachedPrefix, DoubleError, doubleError, errorResponse, ErrorTemplates, type ErrorEntry } from '../errors';
import { qlikSessionHeader, type Caller } from '../auth/gatekeeper';
import { normaliseBasePath, stripBasePath } from '../base-path';
import { redactUrl } from '../control/redact';
import type { FaultRule } from '../control/faults';
import type { QixCall } from '../control/journal';
import { done, next, refuse, type Call, type DoorRoutes, type StageResult } from '../pipeline/call';
import { journaledDuration, sendOrFail } from '../pipeline/stages';
import { ENGINE_VERSION } from '../routes/health';
import type { EngineModel } from '../state/engine';
import type { LiveSession } from '../state/live-sessions';
import type { QixServices } from './services';
import { GLOBAL_HANDLE, IMPLEMENTED_METHODS, type CallContext } from './methods';
import { QixError, type MethodOutcome, answerFrame, bindParams, errorBody, errorFrame, notificationFrame, parseRequest, type RpcErrorBody, type RpcId, type RpcRequest } from './rpc';
import { checkJsonTextDepth } from '../validation/json-limits';
import { qixSurface } from './schema';

export interface QixDoorOptions {
  /** A prefix every QIX path carries ("/api"); by default the runtime's base path (--base-path). */
  basePath?: string;
  /** Largest frame a client may send (default 4 MiB): larger ones close the socket with 1009. */
  maxMessageBytes?: number;
  /** Most QIX sockets open at once, every namespace together (default 1000): more get 503. */
  maxConnections?: number;
  /** Most answers one socket may have waiting on a fault's delay (default 1000): more close it with 1008. */
  maxPendingAnswers?: number;
  /** Most bytes of answers a client may leave unread (default 16 MiB): more close the socket with 1008. */
  maxBufferedBytes?: number;
}

export const QIX_DEFAULTS = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxConnections: 1000,
  maxPendingAnswers: 1000,
  maxBufferedBytes: 16 * 1024 * 1024,
} as const;

/** Close codes the door uses (RFC 6455). */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_FAULT = 1011;

/** /app/<id>[/ttl/<seconds>], percent-encoded as sent. */
const QIX_PATH = /^\/app\/([^/]*)(?:\/ttl\/(\d{1,9}))?\/?$/;

export interface QixDoor {
  /** Closes every QIX socket (1001) and stops taking upgrades. */
  close(): void;
}

/** What an accepted upgrade opens a session with: the namespace's world and who called, as the stages found them. */
interface Admission {
  namespace: string;
  model: EngineModel;
  caller: Caller;
  ttlSeconds: number;
  sessionId: string;
  fault?: FaultRule;
}

/**
 * The HTTP answer an upgrade request gets when it is refused (or is no websocket upgrade): a
 * response over the raw socket Node handed over, which closes once sent.
 */
function responseOn(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  return res;
}

/**
 * Longest method name, string id or error text the journal keeps of one QIX call: a frame may
 * carry megabytes of any of them, and the journal keeps a thousand calls.
 */
const MAX_JOURNALED_TEXT = 1024;

/** `text` cut to MAX_JOURNALED_TEXT, as a copy (detachedPrefix): the journal must not keep the whole frame's text alive. */
function journaled(text: string): string {
  return text.length <= MAX_JOURNALED_TEXT ? text : `${detachedPrefix(text, MAX_JOURNALED_TEXT - 1)}…`;
}

function journaledId(id: RpcId): RpcId {
  return typeof id === 'string' ? journaled(id) : id;
}

/** A protocol violation as the journal lists it: the engine's error code in meta, beside the 400 an HTTP request would get. */
function violationEntries(error: QixError, body: RpcErrorBody): ErrorEntry[] {
  return doubleError('qixProtocolViolation', { detail: body.parameter, meta: { rule: error.codeName, qixCode: body.code } }).entries;
}

/**
 * A request asking to upgrade to anything but a websocket (curl --http2 sends `Upgrade: h2c`) is an
 * ordinary HTTP/1.1 request to the engine, which ignores the offer. Node hands every request with
 * an Upgrade header to the `upgrade` listener once there is one, so the door serves those itself:
 * one response, then the connection closes. One with a body is refused with 400, as its body is
 * no longer parsed by Node once it is handed over.
 */
function serveAsHttp(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer, log: (line: string) => void): void {
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    const refusal = doubleError('malformedHttp', { detail: `an Upgrade: ${req.headers.upgrade} request with a body is not served; send it without the Upgrade header`, source: { header: 'upgrade' } });
    sendOrFail(log, responseOn(req, socket), errorResponse(refusal));
    return;
  }
  if (head.length > 0) socket.unshift(head);
  server.emit('request', req, responseOn(req, socket));
}

/**
 * Attaches the door to `server` (HTTP or HTTPS): its `upgrade` events become QIX sessions. Give it
 * the runtime's `qixServices` (or the runtime itself, whose `qixServices` it takes).
 */
export function attachQixDoor(server: Server, from: QixServices | { readonly qixServices: QixServices }, options: QixDoorOptions = {}): QixDoor {
  const services = 'qixServices' in from ? from.qixServices : from;
  const limits = { ...QIX_DEFAULTS, ...options };
  for (const name of Object.keys(QIX_DEFAULTS) as (keyof typeof QIX_DEFAULTS)[]) {
    // A misconfigured limit is the caller's programming error; 0 would mean "unlimited" to ws.
    if (!Number.isSafeInteger(limits[name]) || limits[name] < 1) throw new RangeError(`qix.${name} must be a positive whole number, not ${limits[name]}`);
  }
  const basePath = options.basePath === undefined ? services.basePath : normaliseBasePath(options.basePath);
  const surface = qixSurface(ENGINE_VERSION);
  let sockets = 0;
  /** The upgrades whose handshake ws is checking: what to do when it passes (with ws's go-ahead) or fails. */
  const handshakes = new WeakMap<IncomingMessage, { passed(goAhead: (verified: boolean) => void): void; failed(error: Error): void }>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    clientTracking: true,
    // ws checked the handshake: the stages go on, and the handle stage gives the go-ahead (or nobody does, and the refusal is sent).
    verifyClient: ({ req }: { req: IncomingMessage }, goAhead: (verified: boolean) => void) => handshakes.get(req)?.passed(goAhead),
  });
  // A handshake ws cannot complete (a missing key, another version): the stages refuse it in the error shape.
  wss.on('wsClientError', (error: Error, _socket: Duplex, req: IncomingMessage) => handshakes.get(req)?.failed(error));

  /** The routing of an upgrade, the same for each. */
  const route = (call: Call): StageResult => {
    const sentPath = call.sentPath ?? '/';
    const pathname = stripBasePath(basePath, sentPath);
    const match = QIX_PATH.exec(pathname ?? '');
    if (!match || pathname === undefined) {
      throw doubleError('routeNotFound', {
        detail: `${sentPath} is no QIX websocket path: the engine takes upgrades on ${basePath}/app/<appId or engineData>[/ttl/<seconds>]`,
        meta: { rule: 'route' },
      });
    }
    if (call.method !== 'GET') {
      throw doubleError('methodNotAllowed', { detail: `a websocket upgrade is a GET, not ${call.method}`, meta: { allow: ['GET'] } }, { Allow: 'GET' });
    }
    return next({ ...call, pathname, rawParams: { appId: match[1] ?? '', ttl: match[2] ?? '0' } });
  };

  /**
   * One upgrade's part in the stages. capacity: proxy mode, the socket limit, then ws's check of
   * the handshake, all before faults and the world; handle: ws's go-ahead, and the session. A
   * client gone meanwhile ends the call as a dropped one (`closed`), so the stages never wait on it.
   */
  function upgradeRoutes(socket: Duplex, head: Buffer, closed: Promise<void>): DoorRoutes {
    let goAhead: ((verified: boolean) => void) | undefined;
    let accepted: ((ws: WebSocket) => void) | undefined;
    const unlessGone = (call: Call, work: Promise<StageResult>) => Promise.race([work, closed.then(() => done({ ...call, dropped: true }))]);
    return {
      route,
      capacity: (call) => {
        if (services.proxyMode) throw doubleError('qixNotRelayed', { detail: 'proxy mode relays REST calls only: the QIX websocket is not forwarded to the engine' });
        if (wss.clients.size >= limits.maxConnections) {
          throw doubleError('qixConnectionLimit', { detail: `the double already holds ${limits.maxConnections} QIX sockets (maxConnections)`, meta: { limit: limits.maxConnections } });
        }
        const req = call.http?.req;
        if (!req) throw new Error('a QIX upgrade without its request');
        const checked = new Promise<StageResult>((resolve) => {
          handshakes.set(req, {
            passed: (go) => {
              goAhead = go;
              resolve(next(call));
            },
            failed: (error) => resolve(refuse(call, doubleError('malformedHttp', { detail: `the websocket handshake is refused: ${error.message}` }))),
          });
          wss.handleUpgrade(req, socket, head, (ws) => accepted?.(ws));
        });
        return unlessGone(call, checked).finally(() => handshakes.delete(req));
      },
      handle: (call) => {
        const { resolvedNamespace, caller, http } = call;
        if (!resolvedNamespace || !caller || !http || !goAhead) throw new Error('a QIX upgrade reached its handler without a handshake, a world or a caller');
        const admission: Admission = {
          namespace: call.namespace ?? '',
          model: resolvedNamespace.model,
          caller,
          ttlSeconds: Number(call.rawParams?.ttl ?? 0),
          // Without the header every socket is a session of its own.
          sessionId: qlikSessionHeader(call.headers) ?? randomUUID(),
          ...(call.fault ? { fault: call.fault } : {}),
        };
        const upgraded = new Promise<StageResult>((resolve) => {
          accepted = (ws) => {
            // ws wrote the 101 on the raw socket: the HTTP response the stages would have sent lets go of it.
            http.res.detachSocket(socket as Socket);
            http.res.statusCode = 101;
            serveSession(ws, redactUrl(http.req.url ?? '/'), admission);
            resolve(done({ ...call, upgraded: true }));
          };
        });
        goAhead(true);
        return unlessGone(call, upgraded);
      },
    };
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      serveAsHttp(server, req, socket, head, services.log);
      return;
    }
    socket.on('error', () => socket.destroy()); // a client gone mid-handshake is no crash
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const door = upgradeRoutes(socket, head, closed);
    const start: Call = { kind: 'qix', door, http: { req, res: responseOn(req, socket) }, started: performance.now(), method: req.method ?? 'GET', headers: req.headers, query: {}, requestViolations: [], requestWarnings: [] };
    services.pipeline.run(start).catch((error: unknown) => {
      services.log(`QIX upgrade failed after the pipeline: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
    });
  };

  function serveSession(ws: WebSocket, path: string, admission: Admission): void {
    const { model, caller, namespace, fault } = admission;
    const { identity } = caller;
    const { session, state } = model.liveSessions.attach(
      { sessionid: admission.sessionId, userid: identity.sub, ...(identity.tenantId !== undefined ? { tenantid: identity.tenantId } : {}) },
      admission.ttlSeconds,
    );
    const socketNumber = (sockets += 1);
    let received = 0;
    let pending = 0;
    const context: CallContext = {
      model,
      session,
      identity,
      engineVersion: ENGINE_VERSION,
      authorize: (appId, action) => {
        try {
          services.gatekeeper.authorizeApp(identity, action, appId, model);
        } catch (error) {
          if (error instanceof DoubleError) throw new QixError('LOCERR_GENERIC_ACCESS_DENIED', error.message);
          throw error;
        }
      },
      privileges: (appId) => {
        const owner = model.hasApp(appId) ? model.getApp(appId).attributes.owner : undefined;
        return caller.access.appPrivileges({ id: appId, ...(owner !== undefined ? { owner } : {}) });
      },
    };

    const closeWith = (code: number, reason: string) => {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
    };
    const send = (frame: string) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame);
      if (ws.bufferedAmount > limits.maxBufferedBytes) {
        closeWith(CLOSE_POLICY, `over ${limits.maxBufferedBytes} bytes of answers unread: the client floods the engine`);
      }
    };
    const deliver = (frame: string) => {
      if (!fault?.latencyMs) return send(frame);
      pending += 1;
      if (pending > limits.maxPendingAnswers) {
        closeWith(CLOSE_POLICY, `over ${limits.maxPendingAnswers} answers waiting: the client floods the engine`);
        return;
      }
      setTimeout(() => {
        pending -= 1;
        send(frame);
      }, fault.latencyMs).unref();
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ws.readyState !== ws.OPEN) return; // closing (a fault, a flood): nothing more is carried out
      received += 1;
      const started = performance.now();
      services.stats.calls += 1;
      const bytes = isBinary ? undefined : Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      const { frame, call, violations } = handle(bytes, context);
      if (frame !== undefined) deliver(frame);
      services.journal.record({
        time: new Date().toISOString(),
        method: 'QIX',
        path,
        door: 'qix',
        namespace,
        durationMs: journaledDuration(started),
        ...(fault ? { fault } : {}),
        qix: { ...call, socket: socketNumber },
        requestViolations: violations,
        responseViolations: [],
      });
      if (fault?.closeAfterMessages !== undefined && received >= fault.closeAfterMessages) {
        // Answers already delayed still go out: close once they have.
        const reason = `fault rule ${fault.id} closes the socket after ${fault.closeAfterMessages} messages`;
        if (fault.latencyMs) setTimeout(() => closeWith(CLOSE_FAULT, reason), fault.latencyMs).unref();
        else closeWith(CLOSE_FAULT, reason);
      }
    });
    ws.on('error', (error) => services.log(`QIX socket ${path}: ${error.message}`));
    ws.once('close', () => model.liveSessions.detach(session));
    ws.send(notificationFrame('OnConnected', { qSessionState: state }));
  }

  /** One frame in (undefined for a binary one), the answer out (none for a notification), with what the journal records. */
  function handle(bytes: Buffer | undefined, context: CallContext): { frame?: string; call: Omit<QixCall, 'socket'>; violations: ErrorEntry[] } {
    let request: RpcRequest | undefined;
    try {
      if (bytes === undefined) throw new QixError('LOCERR_JSON_RPC_PARSE_ERROR', 'binary frames are not JSON-RPC: the engine reads text frames', true);
      checkFrameDepth(bytes);
      request = parseRequest(bytes.toString('utf8'));
      const outcome = dispatch(request, context);
      const call = { method: request.method, handle: request.handle, requestId: journaledId(request.id) };
      return { ...(request.answered ? { frame: answerFrame(request.id, outcome, request.delta) } : {}), call, violations: [] };
    } catch (error) {
      const qixError = error instanceof QixError ? error : internalError(error);
      const body = errorBody(surface, qixError);
      const id: RpcId = request?.id ?? qixError.requestId;
      // The client gets the whole answer; the journal keeps bounded texts.
      const kept = { ...body, parameter: journaled(body.parameter) };
      const call = { method: journaled(request?.method ?? ''), handle: request?.handle ?? GLOBAL_HANDLE, requestId: journaledId(id), error: kept };
      const answered = request === undefined || request.answered;
      return { ...(answered ? { frame: errorFrame(id, body) } : {}), call, violations: qixError.violation ? violationEntries(qixError, kept) : [] };
    }
  }

  function dispatch(request: RpcRequest, context: CallContext): MethodOutcome {
    const className = classOf(request.handle, context.session);
    const spec = surface.classes[className]?.[request.method];
    if (spec === undefined) {
      throw new QixError('LOCERR_JSON_RPC_METHOD_NOT_FOUND', `${request.method} is no method of ${className} in the QIX schema ${surface.schemaVersion}`, true);
    }
    const method = IMPLEMENTED_METHODS[className]?.[request.method];
    if (method === undefined) throw new QixError('LOCERR_JSON_RPC_METHOD_NOT_FOUND', `${className}.${request.method} is not answered by the double (docs/qix.md lists what is)`);
    return method(bindParams(request.method, spec, request.params), context);
  }

  server.on('upgrade', onUpgrade);
  return {
    close: () => {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(CLOSE_GOING_AWAY, 'the engine is shutting down');
      wss.close();
    },
  };
}

/** The QIX class a handle addresses: Global, or the session's open doc; any other handle is invalid. */
function classOf(handle: number, session: LiveSession): string {
  if (handle === GLOBAL_HANDLE) return 'Global';
  if (session.doc?.handle === handle) return 'Doc';
  throw new QixError('LOCERR_JSON_RPC_INVALID_PARAMETERS', `Invalid handle: ${handle} is no handle of this session`, true);
}

/**
 * The REST bodies' nesting limit (MAX_JSON_DEPTH) on a frame's bytes, before it is decoded: a qProp
 * nested deeper would be stored, then refused by every state export and import (JSON_TOO_DEEP), and
 * one ~100k levels deep would overflow the stack of each recursive step after JSON.parse.
 */
function checkFrameDepth(bytes: Buffer): void {
  try {
    checkJsonTextDepth(bytes);
  } catch (error) {
    if (error instanceof DoubleError) throw new QixError('LOCERR_JSON_RPC_PARSE_ERROR', error.message, true);
    throw error;
  }
}

/** A failure of the double itself, or a refusal of the model, as an engine error. */
function internalError(error: unknown): QixError {
  if (error instanceof DoubleError) {
    const code = error.entries[0]?.code;
    if (code === ErrorTemplates.appNotFound.code) return new QixError('LOCERR_APP_NOT_FOUND', error.message);
    if (code === ErrorTemplates.forbidden.code) return new QixError('LOCERR_GENERIC_ACCESS_DENIED', error.message);
  }
  return new QixError('LOCERR_JSON_RPC_INTERNAL_ERROR', error instanceof Error ? error.message : String(error));
}
