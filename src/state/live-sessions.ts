/**
 * Engine sessions made by QIX websockets: one per socket, or shared when the same user reattaches
 * with the same X-Qlik-Session value. A session is `active` while a socket is attached, `stalled`
 * once the last one closed while its TTL runs, and ends when the TTL runs out (at once for TTL 0).
 * Each change is written to the world's session list (`SessionSink`), so GET /sessions and the
 * /healthcheck figures (and anything reading `EngineModel.usage()`) count live sessions with the
 * scenario's own. Free of HTTP and sockets; timers are injectable so tests drive expiry.
 */
import { EventEmitter } from 'node:events';
import type { Session } from '../spec/types';

/** The timer functions sessions use; tests pass their own to end sessions on demand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref(); // a stalled session never keeps the process alive
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A session as the world lists it (the contract's Session), with the two fields that name it. */
export type NamedSession = Session & Required<Pick<Session, 'sessionid' | 'userid'>>;

/** Where the sessions are listed: the engine model's session list. */
export interface SessionSink {
  upsertSession(session: NamedSession): void;
  removeSession(sessionid: NamedSession['sessionid'], userid: NamedSession['userid']): void;
}

export type SessionStartState = 'SESSION_CREATED' | 'SESSION_ATTACHED';

/** An app open in a session, under the handle the client addresses it by. */
export interface OpenDoc {
  appId: string;
  handle: number;
  /** Opened with qNoData: the layout shows no data. */
  noData?: boolean;
  /** A session app (CreateSessionApp): it lives as long as its session. */
  sessionApp?: SessionApp;
}

/** What a session app holds: only what QIX methods change. */
export interface SessionApp {
  script: string;
  properties: Record<string, unknown>;
}

/** What names a live session, with the tenant it reports. */
export type SessionKey = Pick<NamedSession, 'sessionid' | 'userid' | 'tenantid'>;

/** Most seconds a session outlives its socket (the engine's MaxSessionTTL default). */
export const MAX_SESSION_TTL_SECONDS = 1800;
/**
 * When a world holds this many live sessions, a new one ends the longest-stalled one first. Active
 * sessions are not ended: their number is bounded by the QIX door's maxConnections instead.
 */
export const MAX_LIVE_SESSIONS = 5000;

export class LiveSession {
  /** Sockets attached now. */
  sockets = 0;
  doc: OpenDoc | undefined;
  /** Order of the session's last stall among its world's (0 while never stalled). */
  stalledAt = 0;
  /** The next handle the session gives out; Global is -1, the first doc 1. */
  private nextHandle = 1;
  timer: unknown;

  constructor(
    readonly key: SessionKey,
    public ttlSeconds: number,
  ) {}

  newHandle(): number {
    const handle = this.nextHandle;
    this.nextHandle += 1;
    return handle;
  }

  get state(): 'active' | 'stalled' {
    return this.sockets > 0 ? 'active' : 'stalled';
  }
}

function keyOf({ sessionid, userid }: SessionKey): string {
  return JSON.stringify([sessionid, userid]);
}

/** One world's live sessions. Emits `ended` (LiveSession) when a session's TTL runs out. */
export class LiveSessions extends EventEmitter {
  private readonly sessions = new Map<string, LiveSession>();
  /** Counts stalls, so the longest-stalled session is known without a clock. */
  private stalls = 0;

  constructor(
    private readonly sink: SessionSink,
    private readonly timers: Timers = systemTimers,
  ) {
    super();
  }

  /** A socket opens: a new session, or the live one with the same id and user (its TTL stops). */
  attach(key: SessionKey, ttlSeconds: number): { session: LiveSession; state: SessionStartState } {
    const ttl = Math.min(Math.max(0, Math.floor(ttlSeconds)), MAX_SESSION_TTL_SECONDS);
    const existing = this.sessions.get(keyOf(key));
    const session = existing ?? new LiveSession(key, ttl);
    if (existing) {
      if (existing.timer !== undefined) this.timers.clearTimeout(existing.timer);
      existing.timer = undefined;
      existing.ttlSeconds = ttl;
    } else {
      if (this.sessions.size >= MAX_LIVE_SESSIONS) this.evictStalled();
      this.sessions.set(keyOf(key), session);
    }
    session.sockets += 1;
    this.publish(session);
    return { session, state: existing ? 'SESSION_ATTACHED' : 'SESSION_CREATED' };
  }

  /** A socket closes: with none left the session stalls, and ends when its TTL runs out. */
  detach(session: LiveSession): void {
    if (this.sessions.get(keyOf(session.key)) !== session || session.sockets === 0) return;
    session.sockets -= 1;
    if (session.sockets > 0) return;
    if (session.ttlSeconds === 0) {
      this.end(session);
      return;
    }
    session.stalledAt = (this.stalls += 1);
    this.publish(session);
    session.timer = this.timers.setTimeout(() => this.end(session), session.ttlSeconds * 1000);
  }

  /** The session's app changed (OpenDoc, CreateSessionApp). */
  changed(session: LiveSession): void {
    if (this.sessions.get(keyOf(session.key)) === session) this.publish(session);
  }

  list(): LiveSession[] {
    return [...this.sessions.values()];
  }

  /** Ends every session at once (the double closes). */
  endAll(): void {
    for (const session of this.list()) {
      if (session.timer !== undefined) this.timers.clearTimeout(session.timer);
      this.end(session);
    }
  }

  /** Ends the session stalled longest, if any is stalled. */
  private evictStalled(): void {
    const stalled = this.list()
      .filter((s) => s.sockets === 0)
      .sort((a, b) => a.stalledAt - b.stalledAt)[0];
    if (stalled === undefined) return;
    if (stalled.timer !== undefined) this.timers.clearTimeout(stalled.timer);
    this.end(stalled);
  }

  private end(session: LiveSession): void {
    session.timer = undefined;
    session.doc = undefined; // a session app ends with its session
    this.sessions.delete(keyOf(session.key));
    this.sink.removeSession(session.key.sessionid, session.key.userid);
    this.emit('ended', session);
  }

  private publish(session: LiveSession): void {
    this.sink.upsertSession({
      sessionid: session.key.sessionid,
      userid: session.key.userid,
      tenantid: session.key.tenantid ?? '',
      appid: session.doc?.appId ?? '',
      ttl: session.ttlSeconds,
      state: session.state,
    });
  }
}
