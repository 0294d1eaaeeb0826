/**
 * The public API: start a double inside a test process.
 *
 * @example
 * import { startEngineDouble } from 'qlik-engine-double';
 *
 * const engine = await startEngineDouble({ port: 0, scenario: 'default' });
 * const res = await fetch(`${engine.url}/v1/apps`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
 * await engine.close();
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createApp, DoubleRuntime, type DoubleOptions } from './server';

export { DoubleRuntime, createApp, type DoubleOptions, type ValidationMode } from './server';
export type { ScenarioDocument } from './scenarios/types';
export type { JournalEntry } from './control/journal';
export type { ErrorEntry, ErrorResponseBody } from './errors';

/** How long close() lets in-flight requests finish before it cuts their connections. */
export const SHUTDOWN_GRACE_MS = 800;

export interface StartOptions extends DoubleOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** 127.0.0.1 by default: a test double need not listen beyond this machine unless asked. */
  host?: string;
}

export interface EngineDouble {
  /** Base URL of the double, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  host: string;
  runtime: DoubleRuntime;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), then resolves. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function stopServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  const cutoff = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, SHUTDOWN_GRACE_MS);
  cutoff.unref();
  await closed;
  clearTimeout(cutoff);
}

/** Starts a double on a real port and resolves once it accepts connections. */
export async function startEngineDouble(options: StartOptions = {}): Promise<EngineDouble> {
  const runtime = new DoubleRuntime(options);
  const server = createServer(createApp(runtime));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    host,
    runtime,
    close: () => (stopping ??= stopServer(server, sockets)),
  };
}
