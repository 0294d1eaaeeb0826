// Node's types for every consumer of the declarations (TypeScript 6 includes no @types by default); @types/node is a dependency.
/// <reference types="node" preserve="true" />
/**
 * The public API: start a double inside a test process (`startEngineDouble`), or reach one running
 * elsewhere (`connectEngineDouble`); both give the same control methods (`EngineDoubleControl`).
 * docs/programmatic-api.md shows them in use.
 *
 * @example
 * import { startEngineDouble } from 'qlik-engine-double';
 *
 * const engine = await startEngineDouble({ port: 0, scenario: 'default', seed: 1 });
 * const res = await fetch(`${engine.url}/v1/apps`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
 * expect(await engine.violations()).toEqual([]);
 * await engine.close();
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import { answerClientError, createRequestHandler, DoubleRuntime, type DoubleOptions } from './server';
import { controlMethods, type EngineDoubleControl } from './client';
import { invokeControl } from './control/invoke';

/**
 * The double's own classes and option types, for tests that compose it themselves (supertest on
 * `createApp(new DoubleRuntime(options))`), catch its errors (`DoubleError`: `status`, `entries`)
 * or type the values the control methods answer.
 *
 * @example
 * import { DoubleError, type JournalEntry } from 'qlik-engine-double';
 *
 * await expect(engine.useScenario('nope')).rejects.toMatchObject({ status: 404 });
 */
export { DoubleRuntime, createApp, type DoubleOptions, type ExpressApp, type ValidationMode } from './server';
export { DoubleError, type ErrorEntry, type ErrorResponseBody } from './errors';
export {
  connectEngineDouble,
  DEFAULT_CONTROL_TIMEOUT_MS,
  type ConnectOptions,
  type EngineDoubleControl,
  type JournalQuery,
  type NamespaceList,
  type ScenarioCatalog,
} from './client';
export type { ScenarioDocument } from './scenarios/types';
export type { JournalEntry } from './control/journal';
export type { CoverageReport, CoverageSummary, OperationCoverage } from './control/coverage';
export type { ActiveFaultRule, FaultRuleInput } from './control/faults';
export type { CatalogEntry } from './control/catalog';
export type { CurrentScenario } from './control/routes';

/**
 * How long close() lets in-flight requests finish before it cuts their connections.
 *
 * @example
 * await Promise.race([engine.close(), sleep(SHUTDOWN_GRACE_MS + 100)]);
 */
export const SHUTDOWN_GRACE_MS = 800;

/**
 * Options of `startEngineDouble`: where to listen, plus every option of the double
 * (`scenario` by name or as a document, `seed`, `validation`, `scenariosDir`, `controlToken`, …).
 *
 * @example
 * const options: StartOptions = { port: 0, scenario: 'checkout', scenariosDir: './test/scenarios', seed: 7, validation: 'strict' };
 */
export interface StartOptions extends DoubleOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** 127.0.0.1 by default: a test double need not listen beyond this machine unless asked. */
  host?: string;
}

/**
 * A double running in this process: its address, the control methods of its default namespace
 * (`namespace(name)` gives another's), the runtime to look inside, and `close()`.
 *
 * @example
 * let engine: EngineDouble;
 * beforeAll(async () => (engine = await startEngineDouble({ scenario: 'default' })));
 * afterAll(() => engine.close());
 */
export interface EngineDouble extends EngineDoubleControl {
  port: number;
  host: string;
  runtime: DoubleRuntime;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), then resolves. Calling it again returns the same promise. */
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

/**
 * Starts a double on a real port and resolves once it accepts connections. `scenario` is a
 * scenario's name (shipped, or in `scenariosDir`, found as `serve --scenario` finds it) or a
 * scenario document (checked like a file, generators expanded with `seed`); without one the world
 * is empty. A bad scenario or option rejects, and nothing is left listening.
 *
 * The control methods run the control API's own checks and handlers in process: they answer and
 * refuse as the HTTP calls do, without the control token and without journal entries.
 *
 * @example
 * const engine = await startEngineDouble({ port: 0, scenario: 'default', seed: 1, validation: 'strict' });
 * await fetch(`${engine.url}/v1/apps/not-there`);   // 404, as the contract allows
 * await engine.useScenario('busy');
 * const worker = engine.namespace('worker-2');      // its own world: fetch with worker.headers
 * await engine.close();
 */
export async function startEngineDouble(options: StartOptions = {}): Promise<EngineDouble> {
  const runtime = new DoubleRuntime(options);
  const server = createServer(createRequestHandler(runtime));
  server.on('clientError', answerClientError);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    ...controlMethods(async (operation, call) => invokeControl(runtime, operation, call).body, url),
    port,
    host,
    runtime,
    close: () => (stopping ??= stopServer(server, sockets)),
  };
}
