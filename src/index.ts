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
import type { Server } from 'node:http';
import { createRequestHandler, DoubleRuntime, type DoubleOptions } from './server';
import { controlMethods, type EngineDoubleControl } from './client';
import { invokeControl } from './control/invoke';
import { listen, urlHost, type Listening } from './listen';
import { resolveTls, type TlsOptions } from './tls/options';
import { openMetricsDoor, type MetricsDoor, type MetricsOptions } from './metrics/door';
import { attachQixDoor, type QixDoorOptions } from './qix/door';

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
export type { JournalEntry, JournalSearch, NearMiss } from './control/journal';
export type { BodyMatcher, Difference, JournalMatcher, RecordedBody, RequestMatcher, ValueMatcher } from './control/request-matcher';
export type { ActiveStub, StubInput, StubResponse } from './control/stubs';
export { VerificationError, type VerifyTimes } from './control/verification-report';
export type { CoverageReport, CoverageSummary, OperationCoverage } from './control/coverage';
export type { ActiveFaultRule, FaultRuleInput } from './control/faults';
export type { CatalogEntry } from './control/catalog';
export type { CurrentScenario } from './control/routes';
/**
 * The QIX websocket door, for a server of your own (an Express app on node:http or https):
 * `attachQixDoor(server, runtime, { basePath })` takes its `upgrade` events, working with
 * `runtime.qixServices` only. docs/qix.md.
 */
export { attachQixDoor, QIX_DEFAULTS, type QixDoor, type QixDoorOptions } from './qix/door';
export type { QixServices } from './qix/services';

export type { ScenarioReload, WatchOption } from './control/scenario-watch';
export type { TlsOptions } from './tls/options';
export type { MetricsFormat, MetricsOptions } from './metrics/door';
export type { MetricFamily } from './metrics/json-form';
export { SHUTDOWN_GRACE_MS } from './listen';
export { stripBasePath } from './base-path';

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
  /** Serve Prometheus metrics at /metrics on their own port, as the engine does on 9090 (off unless given; `{ port: 0 }` picks a free port). */
  metrics?: MetricsOptions;
  /** Serve HTTPS (the metrics port too): a certificate, client certificates required, or a throwaway self-signed one. */
  tls?: TlsOptions;
  /** Limits of the QIX websocket door (message size, sockets, unread answers); docs/qix.md. */
  qix?: QixDoorOptions;
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
  /** The API port's node:http or node:https server (another door, such as a websocket upgrade, attaches here). */
  server: Server;
  /** With `metrics`: the port serving them, and `${metricsUrl}` ends in /metrics. */
  metricsPort?: number;
  metricsUrl?: string;
  /** With `tls`: the PEM a client trusts to reach the double (the throwaway CA when self-signed, else the certificate given). */
  ca?: string;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), then resolves. Calling it again returns the same promise. */
  close(): Promise<void>;
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
  const host = options.host ?? '127.0.0.1';
  const tls = await resolveTls(options.tls, host);
  const api = await listen(createRequestHandler(runtime), { port: options.port ?? 0, host, ...(tls ? { tls } : {}) });
  let qixDoor: ReturnType<typeof attachQixDoor> | undefined;
  let metrics: MetricsDoor | undefined;
  try {
    // In the try: a refused qix option must not leave the API port listening.
    qixDoor = attachQixDoor(api.server, runtime.qixServices, options.qix);
    if (options.metrics) metrics = await openMetricsDoor(runtime.metricsServices, options.metrics, { host, ...(tls ? { tls } : {}) });
    if (options.watch) await runtime.startWatching(options.watch);
  } catch (error) {
    qixDoor?.close();
    await closeAll(runtime, api, metrics);
    throw error;
  }
  const door = qixDoor;
  const url = `${api.scheme}://${urlHost(host)}:${api.port}${runtime.basePath}`;
  let stopping: Promise<void> | undefined;
  return {
    ...controlMethods(async (operation, call) => (await invokeControl(runtime, operation, call)).body, url),
    port: api.port,
    host,
    runtime,
    server: api.server,
    ...(metrics ? { metricsPort: metrics.listening.port, metricsUrl: `${metrics.listening.scheme}://${urlHost(host)}:${metrics.listening.port}${runtime.basePath}/metrics` } : {}),
    ...(tls ? { ca: tls.trust } : {}),
    close: () => {
      if (!stopping) door.close(); // websockets are told first (1001), so their sockets end within the grace
      // Event streams never end by themselves: end them, or the server would wait out the grace.
      runtime.streams.endAll();
      return (stopping ??= closeAll(runtime, api, metrics));
    },
  };
}

async function closeAll(runtime: DoubleRuntime, api: Listening, metrics: MetricsDoor | undefined): Promise<void> {
  runtime.stopPreparing(); // first: a switch waiting for a scenario's generation then answers at once
  await Promise.all([api.close(), metrics?.close(), runtime.stopWatching()]);
}
