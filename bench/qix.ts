/**
 * The QIX part of `npm run bench`: sessions opened per second (upgrade, OnConnected, close) and
 * round trips per second for `EngineVersion` over one socket (one request in flight), each next to
 * a bare `ws` echo server run the same way: the ceiling of this machine and of `ws` itself.
 */
import path from 'node:path';
import { once } from 'node:events';
import WebSocket from 'ws';
import { freePort, LOOPBACK, startServer, stopChild, type Child } from './harness';

const ECHO_CHILD = path.join(__dirname, 'ws-echo-server.js');
const ENGINE_VERSION_REQUEST = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, handle: -1, method: 'EngineVersion', params: [] });

export interface QixSettings {
  /** Sessions opened one after another, per server. */
  sessions: number;
  /** How long round trips run, per server. */
  seconds: number;
}

export interface QixServerFigures {
  sessionsPerSecond: number;
  roundTripsPerSecond: number;
  roundTrips: number;
}

export interface QixFigures {
  double: QixServerFigures;
  wsEcho: QixServerFigures;
}

/** Opens a socket and waits for its first frame (OnConnected, or the echo server's greeting). */
async function greeted(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await once(socket, 'message');
  return socket;
}

async function sessionsPerSecond(url: string, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const socket = await greeted(url);
    const closed = once(socket, 'close');
    socket.close();
    await closed;
  }
  return count / ((performance.now() - started) / 1000);
}

async function roundTrips(url: string, seconds: number): Promise<{ perSecond: number; count: number }> {
  const socket = await greeted(url);
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let count = 0;
  while (performance.now() < deadline) {
    count += 1;
    const answered = once(socket, 'message');
    socket.send(ENGINE_VERSION_REQUEST(count));
    const [data] = (await answered) as [Buffer];
    if (count === 1 && !String(data).includes('qComponentVersion') && !String(data).includes('EngineVersion')) throw new Error(`unexpected answer ${String(data)}`);
  }
  const elapsed = (performance.now() - started) / 1000;
  socket.close();
  return { perSecond: count / elapsed, count };
}

async function figuresOf(wsUrl: string, settings: QixSettings): Promise<QixServerFigures> {
  const sessions = await sessionsPerSecond(wsUrl, settings.sessions);
  const trips = await roundTrips(wsUrl, settings.seconds);
  return { sessionsPerSecond: sessions, roundTripsPerSecond: trips.perSecond, roundTrips: trips.count };
}

/** `startDouble` starts the double's CLI in a child process (run.ts's), answering at `url`. */
export async function qixFigures(settings: QixSettings, startDouble: () => Promise<{ child: Child; url: string }>): Promise<QixFigures> {
  const double = await startDouble();
  let doubleFigures: QixServerFigures;
  try {
    doubleFigures = await figuresOf(`${double.url.replace('http', 'ws')}/app/engineData`, settings);
  } finally {
    await stopChild(double.child);
  }
  const port = await freePort();
  const echo = await startServer([ECHO_CHILD, String(port)], `http://${LOOPBACK}:${port}/`);
  try {
    return { double: doubleFigures, wsEcho: await figuresOf(`ws://${LOOPBACK}:${port}/`, settings) };
  } finally {
    await stopChild(echo.child);
  }
}
