/** Live sessions with timers the test drives: TTL expiry, reattach within the TTL, and the session list they feed. */
import { EngineModel } from '../../../src/state/engine';
import { MAX_LIVE_SESSIONS, type Timers } from '../../../src/state/live-sessions';

/** Timers that fire only when the test says so. */
function manualTimers() {
  const due = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      next += 1;
      due.set(next, { callback, ms });
      return next;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
  };
  const fireAll = () => {
    const pending = [...due.values()];
    due.clear();
    for (const { callback } of pending) callback();
  };
  return { timers, due, fireAll };
}

const KEY = { sessionid: 's-1', userid: 'alice' };

it('keeps a closed session stalled for its TTL, then ends it and takes it off the list', () => {
  const { timers, due, fireAll } = manualTimers();
  const model = new EngineModel({ timers });
  const ended: unknown[] = [];
  model.liveSessions.on('ended', (session) => ended.push(session));
  const { session, state } = model.liveSessions.attach(KEY, 60);
  expect(state).toBe('SESSION_CREATED');
  expect(model.listSessions()).toEqual([expect.objectContaining({ sessionid: 's-1', userid: 'alice', ttl: 60, state: 'active' })]);
  model.liveSessions.detach(session);
  expect(model.listSessions()).toEqual([expect.objectContaining({ state: 'stalled' })]);
  expect([...due.values()].map((t) => t.ms)).toEqual([60_000]);
  expect(model.usage()).toMatchObject({ sessionActive: 0, sessionTotal: 1, usersActive: 0, usersTotal: 1 });
  fireAll();
  expect(ended).toEqual([session]);
  expect(model.listSessions()).toEqual([]);
});

it('reattaches the same user and session id within the TTL, stopping its timer, keeping its app', () => {
  const { timers, due } = manualTimers();
  const model = new EngineModel({ timers });
  const first = model.liveSessions.attach(KEY, 30).session;
  first.doc = { appId: 'app-1', handle: first.newHandle() };
  model.liveSessions.changed(first);
  model.liveSessions.detach(first);
  const again = model.liveSessions.attach(KEY, 30);
  expect(again).toMatchObject({ state: 'SESSION_ATTACHED', session: first });
  expect(due.size).toBe(0);
  expect(model.listSessions()).toEqual([expect.objectContaining({ appid: 'app-1', state: 'active' })]);
  // Another user with the same header is another session.
  expect(model.liveSessions.attach({ sessionid: 's-1', userid: 'bob' }, 30).state).toBe('SESSION_CREATED');
  expect(model.usage()).toMatchObject({ sessionActive: 2, usersActive: 2, activeDocs: ['app-1'] });
});

it('ends a TTL 0 session with its last socket, and stays active while another socket holds it', () => {
  const { timers } = manualTimers();
  const model = new EngineModel({ timers });
  const { session } = model.liveSessions.attach(KEY, 0);
  model.liveSessions.attach(KEY, 0);
  model.liveSessions.detach(session);
  expect(model.listSessions()).toEqual([expect.objectContaining({ state: 'active' })]);
  model.liveSessions.detach(session);
  expect(model.listSessions()).toEqual([]);
});

it('bounds the TTL by the engine MaxSessionTTL default (1800 s)', () => {
  const model = new EngineModel({ timers: manualTimers().timers });
  expect(model.liveSessions.attach(KEY, 999_999).session.ttlSeconds).toBe(1800);
});

it('bounds the live sessions of a world: a new one ends the longest-stalled one', () => {
  const model = new EngineModel({ timers: manualTimers().timers });
  const { session: oldest } = model.liveSessions.attach({ sessionid: 'old', userid: 'u' }, 60);
  model.liveSessions.detach(oldest);
  for (let i = 1; i < MAX_LIVE_SESSIONS; i += 1) model.liveSessions.attach({ sessionid: `s${i}`, userid: 'u' }, 60);
  expect(model.liveSessions.list()).toHaveLength(MAX_LIVE_SESSIONS);
  model.liveSessions.attach({ sessionid: 'new', userid: 'u' }, 60);
  expect(model.liveSessions.list()).toHaveLength(MAX_LIVE_SESSIONS);
  expect(model.listSessions().some((s) => s.sessionid === 'old')).toBe(false);
});
