/**
 * The metrics port: GET /metrics (also under the base path), as the engine serves it on its
 * PrometheusPort, never on the API port. Prometheus text by default, the JSON form when Accept
 * asks for application/json (engine-discovery does) or when the format is forced. The namespace
 * header picks whose model figures are reported; the namespace's fault rules whose path matches
 * /metrics apply here too, so a test can prove its orchestrator copes with failing metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { doubleError, errorResponse } from '../errors';
import { namespaceOf } from '../control/namespaces';
import { answerClientError, type DoubleRuntime } from '../server';
import { applyFault, sendOrFail } from '../pipeline/stages';
import { stripBasePath } from '../base-path';
import { listen, type Listening } from '../listen';
import type { ServingTls } from '../tls/options';
import { EngineMetrics } from './families';

export const METRICS_PATH = '/metrics';
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

function metricsRequestHandler(runtime: DoubleRuntime, metricsOf: () => EngineMetrics, forced: MetricsFormat | undefined) {
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const sentPath = (req.url ?? '/').split('?')[0]!;
    const path = stripBasePath(runtime.basePath, sentPath) ?? sentPath;
    if (path !== METRICS_PATH) {
      throw doubleError('routeNotFound', { detail: `the metrics port serves GET ${runtime.basePath}${METRICS_PATH} only, not ${sentPath}`, meta: { suggestion: `GET ${runtime.basePath}${METRICS_PATH}` } });
    }
    if (method !== 'GET' && method !== 'HEAD') {
      throw doubleError('methodNotAllowed', { detail: `${method} is not an operation of ${METRICS_PATH}; allowed: GET, HEAD`, meta: { allow: ['GET', 'HEAD'] } }, { Allow: 'GET, HEAD' });
    }
    const namespace = namespaceOf(req.headers);
    // A namespace not made yet has no fault rules: it is looked up, never made.
    const fault = runtime.namespaces.find(namespace)?.faults.take(method, METRICS_PATH);
    const effect = fault ? await applyFault(fault, res) : 'continue';
    if (effect === 'drop') {
      res.destroy();
      return;
    }
    if (effect !== 'continue') throw effect;
    const format = forced ?? (acceptsJson(req.headers.accept) ? 'json' : 'text');
    const metrics = metricsOf();
    const body = format === 'json' ? JSON.stringify(await metrics.scrape(namespace, 'json')) : await metrics.scrape(namespace, 'text');
    res.statusCode = 200;
    res.setHeader('content-type', format === 'json' ? 'application/json; charset=utf-8' : metrics.registry.contentType);
    res.end(method === 'HEAD' ? undefined : body);
    metrics.sent(method === 'HEAD' ? 0 : Buffer.byteLength(body));
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    answer(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendOrFail(runtime.log, res, errorResponse(error));
    });
  };
}

export interface MetricsDoor {
  listening: Listening;
  close(): Promise<void>;
}

/**
 * Serves the runtime's metrics on their own port, with the same TLS as the API port. A taken
 * port rejects with a message that names it, unless `fallbackToFreePort` lets a free one serve.
 */
export async function openMetricsDoor(runtime: DoubleRuntime, options: MetricsOptions, where: { host: string; tls?: ServingTls }): Promise<MetricsDoor> {
  if (options.format !== undefined && !METRICS_FORMATS.includes(options.format)) {
    throw new Error(`metrics format must be ${METRICS_FORMATS.join(' or ')}, not ${JSON.stringify(options.format)}`);
  }
  // Made on first use (the first request answered or scrape), not at start: loading prom-client
  // would add tens of milliseconds to every double's start-up, before its first answer.
  let metrics: EngineMetrics | undefined;
  const metricsOf = () => (metrics ??= new EngineMetrics(runtime));
  const handler = metricsRequestHandler(runtime, metricsOf, options.format);
  let listening: Listening;
  try {
    listening = await listen(handler, { port: options.port, ...where });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (!options.fallbackToFreePort) throw new Error(`the metrics port ${options.port} is taken: choose another (--metrics-port), or 0 for a free one`);
    listening = await listen(handler, { port: 0, ...where });
  }
  listening.server.on('clientError', answerClientError);
  const stopObserving = runtime.onExchange((exchange) => metricsOf().observe(exchange));
  return {
    listening,
    close: async () => {
      stopObserving();
      await listening.close();
    },
  };
}
