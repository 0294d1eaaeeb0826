/**
 * The metrics port: GET /metrics (also under the base path), as the engine serves it on its
 * PrometheusPort, never on the API port. Prometheus text by default, the JSON form when Accept
 * asks for application/json (engine-discovery does) or when the format is forced. Each request runs
 * the same stages as the API port's (kind `metrics`: src/pipeline/stages.ts): the namespace header
 * picks whose model figures are reported, the namespace's fault rules whose path matches /metrics
 * apply here too (so a test can prove its orchestrator copes with failing metrics), and every
 * scrape is journaled, marked `door: "metrics"` (searches leave them out unless they name the path).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { doubleError, errorResponse } from '../errors';
import { answer, next, type Call, type DoorRoutes } from '../pipeline/call';
import { sendOrFail } from '../pipeline/stages';
import { stripBasePath } from '../base-path';
import { listen, type Listening } from '../listen';
import type { ServingTls } from '../tls/options';
import { EngineMetrics } from './families';
import { METRICS_PATH } from './path';

export { METRICS_PATH } from './path';
import type { MetricsServices } from './services';

/** The engine's PrometheusPort default; the CLI and the Docker image use it. */
export const DEFAULT_METRICS_PORT = 9090;
export const METRICS_FORMATS = ['text', 'json'] as const;
export type MetricsFormat = (typeof METRICS_FORMATS)[number];

export interface MetricsOptions {
  /** 0 picks a free port. */
  port: number;
  /** When `port` is taken, serve on a free port instead of refusing to start (the CLI's default 9090 does: test suites start several doubles). */
  fallbackToFreePort?: boolean;
  /** Answer in this form whatever Accept asks (--metrics-format); by default text, or JSON when Accept names application/json. */
  format?: MetricsFormat;
}

/** Does the Accept header name application/json (with a q above 0)? */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return type === 'application/json' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** GET and HEAD of /metrics (under the base path too): the door's routes; the scrape answers from the world the namespace stage picked. */
function metricsRoutes(basePath: string, metricsOf: () => EngineMetrics, forced: MetricsFormat | undefined): DoorRoutes {
  return {
    route: (call) => {
      const sentPath = call.sentPath ?? '/';
      const path = stripBasePath(basePath, sentPath) ?? sentPath;
      if (path !== METRICS_PATH) {
        throw doubleError('routeNotFound', { detail: `the metrics port serves GET ${basePath}${METRICS_PATH} only, not ${sentPath}`, meta: { suggestion: `GET ${basePath}${METRICS_PATH}` } });
      }
      if (call.method !== 'GET' && call.method !== 'HEAD') {
        throw doubleError('methodNotAllowed', { detail: `${call.method} is not an operation of ${METRICS_PATH}; allowed: GET, HEAD`, meta: { allow: ['GET', 'HEAD'] } }, { Allow: 'GET, HEAD' });
      }
      return next({ ...call, pathname: METRICS_PATH });
    },
    handle: async (call: Call) => {
      const model = call.resolvedNamespace?.model;
      if (!model) throw new Error('a scrape reached its handler without a world');
      const format = forced ?? (acceptsJson(call.headers.accept) ? 'json' : 'text');
      const metrics = metricsOf();
      const text = format === 'json' ? JSON.stringify(await metrics.scrape(model, 'json')) : await metrics.scrape(model, 'text');
      const body = call.method === 'HEAD' ? undefined : Buffer.from(text);
      metrics.sent(body?.length ?? 0);
      const contentType = format === 'json' ? 'application/json; charset=utf-8' : metrics.registry.contentType;
      return answer(call, { status: 200, headers: { 'content-type': contentType }, ...(body ? { body } : {}) });
    },
  };
}

/** The metrics port's request listener: each request runs the stages; a failure past them ends that request alone. */
function metricsRequestHandler(services: MetricsServices, routes: DoorRoutes) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const start: Call = { kind: 'metrics', door: routes, http: { req, res }, started: performance.now(), method: req.method ?? 'GET', headers: req.headers, query: {}, requestViolations: [], requestWarnings: [] };
    services.pipeline.run(start).catch((error: unknown) => {
      services.log(`metrics request failed after the pipeline: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else sendOrFail(services.log, res, errorResponse(error));
    });
  };
}

export interface MetricsDoor {
  listening: Listening;
  close(): Promise<void>;
}

/**
 * Serves the double's metrics on their own port, with the same TLS as the API port. A taken
 * port rejects with a message that names it, unless `fallbackToFreePort` lets a free one serve.
 */
export async function openMetricsDoor(services: MetricsServices, options: MetricsOptions, where: { host: string; tls?: ServingTls }): Promise<MetricsDoor> {
  if (options.format !== undefined && !METRICS_FORMATS.includes(options.format)) {
    throw new Error(`metrics format must be ${METRICS_FORMATS.join(' or ')}, not ${JSON.stringify(options.format)}`);
  }
  // Made on first use (the first request answered or scrape), not at start: loading prom-client
  // would add tens of milliseconds to every double's start-up, before its first answer.
  let metrics: EngineMetrics | undefined;
  const metricsOf = () => (metrics ??= new EngineMetrics(services.stats));
  const handler = metricsRequestHandler(services, metricsRoutes(services.basePath, metricsOf, options.format));
  let listening: Listening;
  try {
    listening = await listen(handler, { port: options.port, ...where });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (!options.fallbackToFreePort) throw new Error(`the metrics port ${options.port} is taken: choose another (--metrics-port), or 0 for a free one`);
    listening = await listen(handler, { port: 0, ...where });
  }
  const stopObserving = services.onExchange((exchange) => metricsOf().observe(exchange));
  return {
    listening,
    close: async () => {
      stopObserving();
      await listening.close();
    },
  };
}
