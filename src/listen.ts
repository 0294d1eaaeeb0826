/**
 * One listening port of a double (the API port, the metrics port): HTTP or, with TLS, HTTPS; it
 * tracks its sockets so closing lets in-flight requests finish for a grace period, then cuts them.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { doubleError, errorResponse } from './errors';
import type { ServingTls } from './tls/options';

/**
 * How long close() lets in-flight requests finish before it cuts their connections.
 *
 * @example
 * await Promise.race([engine.close(), sleep(SHUTDOWN_GRACE_MS + 100)]);
 */
export const SHUTDOWN_GRACE_MS = 800;

export interface Listening {
  /** node:http's or node:https's server: another door (a websocket upgrade) may attach to it. */
  server: Server;
  port: number;
  /** `http` or `https` */
  scheme: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host: string;
  tls?: ServingTls;
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves `handler` on the port; rejects (with the server closed) when it cannot listen, e.g. EADDRINUSE. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, { port, host, tls }: ListenOptions): Promise<Listening> {
  // Requests without Host reach the pipeline, which refuses them in the error shape (src/server.ts).
  const serverOptions = { requireHostHeader: false };
  const server: Server = tls ? createHttpsServer({ ...tls.server, ...serverOptions }, handler) : createHttpServer(serverOptions, handler);
  server.on('clientError', answerClientError);
  const sockets = new Set<Socket>();
  // Over TLS the request sockets are TLS sockets; 'connection' gives the raw ones under them.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // Once stopping, a socket whose answer went out as keep-alive is idle now: close it.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.listen(port, host);
  await once(server, 'listening');
  /**
   * Stops accepting, closes idle keep-alive sockets at once, answers in-flight requests with
   * `Connection: close` (and closes any socket that still goes idle), and resolves as soon as the last
   * connection is gone; past SHUTDOWN_GRACE_MS the remaining sockets are cut.
   */
  const stop = async () => {
    const closed = once(server, 'close');
    server.close();
    for (const res of inFlight) closeAfter(res);
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => closeAfter(res));
    server.closeIdleConnections();
    const cutoff = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, SHUTDOWN_GRACE_MS);
    cutoff.unref();
    await closed;
    clearTimeout(cutoff);
  };
  return {
    server,
    port: (server.address() as AddressInfo).port,
    scheme: tls ? 'https' : 'http',
    close: () => (stopping ??= stop()),
  };
}

/** An answer sent while the server stops says `Connection: close`, so its client does not reuse a socket about to go. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * Node's HTTP parser refuses some requests before any handler runs (an unknown method, a broken
 * header line): answer those in the error shape too, then close, instead of Node's bare 400.
 */
function answerClientError(error: Error, socket: Duplex): void {
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
