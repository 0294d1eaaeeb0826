/**
 * The engine's Prometheus families, in a registry of this double's own (several doubles share a
 * test process). The model's figures are read at scrape time from the same `usage()` /healthcheck
 * reads, so both agree at any moment; the traffic families are fed by `observe`.
 * prom-client loads only when a double serves metrics.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineModel, EngineUsage } from '../state/engine';
import type { EngineStats, Exchange } from '../routes/types';
import { jsonForm, type MetricFamily } from './json-form';

type PromClient = typeof import('prom-client');

/** Seconds; the engine's requests take from under a millisecond to minutes (reloads). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Bytes: an empty answer up to a media file. */
const SIZE_BUCKETS = [0, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216];
/** What `http_*` families put in `path` for a request that matched no operation (the raw URL never goes in a label). */
export const UNMATCHED_PATH = 'unmatched';
const CONDITIONS = ['healthy', 'busy', 'unhealthy'] as const;

/** What one scrape reads: the figures of the namespace it asked for. */
interface ScrapeView {
  usage: EngineUsage;
  condition: string;
}

export class EngineMetrics {
  readonly registry: Registry;
  private view: ScrapeView | undefined;
  /** Scrapes run one at a time: the model gauges read the view of the scrape in progress. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly scrapes: Counter;
  private readonly bytesTransferred: Counter;
  private readonly qixDuration: Histogram;
  private readonly httpDuration: Histogram<'method' | 'path' | 'status_code'>;
  private readonly httpSize: Histogram<'method' | 'path' | 'status_code'>;
  /** The two http_* series of each label set, looked up once: prom-client hashes a labels object on every observe. */
  private readonly httpSeries = new Map<string, { duration: { observe(value: number): void }; size: { observe(value: number): void } }>();

  constructor(stats: EngineStats) {
    const prom = require('prom-client') as PromClient;
    this.registry = new prom.Registry();
    const registers = [this.registry];
    prom.collectDefaultMetrics({ register: this.registry });
    const current = (): ScrapeView => {
      // Only scrape() calls registry.metrics(), with the view set.
      if (this.view === undefined) throw new Error('metrics read outside a scrape');
      return this.view;
    };
    const gauge = (name: string, help: string, value: (view: ScrapeView) => number): Gauge =>
      new prom.Gauge({ name, help, registers, collect() { this.set(value(current())); } });
    // Counters that follow the model go down again when a scenario switch empties it, as after an engine restart.
    const counter = (name: string, help: string, value: (view: ScrapeView) => number): Counter =>
      new prom.Counter({ name, help, registers, collect() { this.reset(); this.inc(value(current())); } });

    gauge('qix_active_sessions', 'Sessions in state active (healthcheck session.active).', ({ usage }) => usage.sessionActive);
    gauge('qix_active_documents', 'Apps open in an active session (healthcheck apps.active_docs).', ({ usage }) => usage.activeDocs.length);
    gauge('qix_active_requests', 'Requests being handled right now.', () => stats.active);
    counter('qix_sessions_total', 'Sessions the engine holds, active or not (healthcheck session.total).', ({ usage }) => usage.sessionTotal);
    counter('qix_requests_total', 'Requests served since start, every route (healthcheck apps.calls).', () => stats.calls);
    counter('qix_selections_total', 'Selections made (healthcheck apps.selections).', ({ usage }) => usage.selections);
    counter('qix_cache_hits_total', 'Result cache hits (healthcheck cache.hits).', ({ usage }) => usage.cache.hits);
    counter('qix_cache_lookups_total', 'Result cache lookups (healthcheck cache.lookups).', ({ usage }) => usage.cache.lookups);
    counter('qix_cache_objects_added_total', 'Objects added to the result cache (healthcheck cache.added).', ({ usage }) => usage.cache.added);
    new prom.Counter({
      name: 'qix_documents_total',
      help: 'Apps by status: active (healthcheck apps.active_docs), loaded (apps.loaded_docs), in_memory (apps.in_memory_docs).',
      labelNames: ['status'],
      registers,
      collect() {
        const { usage } = current();
        this.reset();
        this.inc({ status: 'active' }, usage.activeDocs.length);
        this.inc({ status: 'loaded' }, usage.loadedDocs.length);
        this.inc({ status: 'in_memory' }, usage.inMemoryDocs.length);
      },
    });
    new prom.Gauge({
      name: 'qlik_engine_double_condition',
      help: "The scenario's health condition: 1 for the current one (busy: /health 429 and healthcheck saturated; unhealthy: /health 503).",
      labelNames: ['condition'],
      registers,
      collect() {
        const { condition } = current();
        for (const name of CONDITIONS) this.set({ condition: name }, name === condition ? 1 : 0);
      },
    });
    this.qixDuration = new prom.Histogram({ name: 'qix_request_duration_seconds', help: 'Time engine operations took.', buckets: DURATION_BUCKETS, registers });
    const httpLabels = ['method', 'path', 'status_code'] as const;
    this.httpDuration = new prom.Histogram({
      name: 'http_request_duration_seconds',
      help: "Time HTTP requests took, by method, the operation's path template and status.",
      labelNames: httpLabels,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.httpSize = new prom.Histogram({
      name: 'http_response_size_bytes',
      help: "Response body sizes, by method, the operation's path template and status.",
      labelNames: httpLabels,
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.scrapes = new prom.Counter({ name: 'exposer_total_scrapes', help: 'Times /metrics was read.', registers });
    this.bytesTransferred = new prom.Counter({ name: 'exposer_bytes_transferred', help: 'Bytes /metrics answered.', registers });
  }

  /** The families as Prometheus text or in the JSON form, with the figures of `model` (the scraped namespace's world). */
  scrape(model: EngineModel, format: 'text'): Promise<string>;
  scrape(model: EngineModel, format: 'json'): Promise<MetricFamily[]>;
  scrape(model: EngineModel, format: 'text' | 'json'): Promise<string | MetricFamily[]> {
    const run = async () => {
      this.scrapes.inc();
      this.view = { usage: model.usage(), condition: model.condition };
      try {
        return format === 'text' ? await this.registry.metrics() : jsonForm(await this.registry.getMetricsAsJSON());
      } finally {
        this.view = undefined;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Counts what /metrics sent. */
  sent(bytes: number): void {
    this.bytesTransferred.inc(bytes);
  }

  /** Counts one finished request of the API port. */
  observe({ method, operation, status, durationSeconds, bytes }: Exchange): void {
    if (operation?.source === 'engine') this.qixDuration.observe(durationSeconds);
    if (status === undefined) return; // dropped by a fault: no answer to measure
    const path = operation?.path ?? UNMATCHED_PATH;
    const key = `${method} ${status} ${path}`;
    let series = this.httpSeries.get(key);
    if (series === undefined) {
      const labels = { method, path, status_code: String(status) };
      series = { duration: this.httpDuration.labels(labels), size: this.httpSize.labels(labels) };
      this.httpSeries.set(key, series);
    }
    series.duration.observe(durationSeconds);
    series.size.observe(bytes);
  }
}
