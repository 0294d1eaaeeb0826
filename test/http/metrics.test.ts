import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import type { ScenarioDocument } from '../../src/scenarios/types';
import { jsonMetric, parsePrometheusText, sampleValue, scrapeJson, scrapeText } from '../support/prometheus';

/** The /healthcheck fields the metrics agree with (the double always sends them). */
interface Healthcheck {
  session: { active: number; total: number };
  apps: { active_docs: string[]; loaded_docs: string[]; in_memory_docs: string[]; calls: number; selections: number };
  cache: { hits: number; lookups: number; added: number; bytes_added: number };
  saturated: boolean;
}

async function healthcheck(engine: EngineDouble, headers: Record<string, string> = {}): Promise<Healthcheck> {
  return (await (await fetch(`${engine.url}/healthcheck`, { headers })).json()) as Healthcheck;
}

function manySessions(count: number, active: number): ScenarioDocument {
  return {
    name: 'crowded',
    apps: [{ attributes: { id: 'app-a', name: 'A' } }, { attributes: { id: 'app-b', name: 'B' } }],
    sessions: Array.from({ length: count }, (_, i) => ({
      sessionid: `s-${i}`,
      userid: `user-${i % 7}`,
      appid: i % 2 === 0 ? 'app-a' : 'app-b',
      state: i < active ? 'active' : 'stalled',
    })),
    figures: { selections: 1234, cache: { hits: 50, lookups: 80, added: 30 } },
  };
}

describe('GET /metrics on its own port', () => {
  let engine: EngineDouble;
  beforeEach(async () => {
    engine = await startEngineDouble({ scenario: 'default', metrics: { port: 0 }, log: () => undefined });
  });
  afterEach(() => engine.close());

  it('is served on the metrics port only, never on the API port', async () => {
    expect(engine.metricsPort).not.toBe(engine.port);
    expect((await fetch(`${engine.url}/metrics`)).status).toBe(404);
    const wrong = await fetch(engine.metricsUrl!.replace('/metrics', '/v1/apps'));
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ errors: [{ code: 'ROUTE_NOT_FOUND' }] });
    const post = await fetch(engine.metricsUrl!, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers Prometheus text that an npm parser reads, with every family /healthcheck agrees with', async () => {
    const health = await healthcheck(engine);
    const response = await fetch(engine.metricsUrl!);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text.startsWith('#')).toBe(true);
    // The Helm pre-stop hook's grep.
    expect(text).toMatch(/^qix_active_sessions [0-9]+$/m);
    const families = parsePrometheusText(text);
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      qix_active_sessions: 'GAUGE',
      qix_active_documents: 'GAUGE',
      qix_active_requests: 'GAUGE',
      qix_sessions_total: 'COUNTER',
      qix_documents_total: 'COUNTER',
      qix_requests_total: 'COUNTER',
      qix_selections_total: 'COUNTER',
      qix_cache_hits_total: 'COUNTER',
      qix_cache_lookups_total: 'COUNTER',
      qix_cache_objects_added_total: 'COUNTER',
      qix_request_duration_seconds: 'HISTOGRAM',
      http_request_duration_seconds: 'HISTOGRAM',
      http_response_size_bytes: 'HISTOGRAM',
      process_cpu_seconds_total: 'COUNTER',
      nodejs_heap_size_used_bytes: 'GAUGE',
    });
    expect(health.session.active).toBeGreaterThan(0);
    expect(sampleValue(families, 'qix_active_sessions')).toBe(health.session.active);
    expect(sampleValue(families, 'qix_sessions_total')).toBe(health.session.total);
    expect(sampleValue(families, 'qix_active_documents')).toBe(health.apps.active_docs.length);
    expect(sampleValue(families, 'qix_documents_total', { status: 'active' })).toBe(health.apps.active_docs.length);
    expect(sampleValue(families, 'qix_documents_total', { status: 'loaded' })).toBe(health.apps.loaded_docs.length);
    expect(sampleValue(families, 'qix_documents_total', { status: 'in_memory' })).toBe(health.apps.in_memory_docs.length);
    // No call between the two: the healthcheck counted itself, the scrape is no API call.
    expect(sampleValue(families, 'qix_requests_total')).toBe(health.apps.calls);
    expect(sampleValue(families, 'qix_selections_total')).toBe(health.apps.selections);
    expect(sampleValue(families, 'qix_cache_hits_total')).toBe(health.cache.hits);
    expect(sampleValue(families, 'qix_cache_lookups_total')).toBe(health.cache.lookups);
    expect(sampleValue(families, 'qix_cache_objects_added_total')).toBe(health.cache.added);
  });

  it('moves with the traffic: request counts, durations and sizes by operation template and status', async () => {
    const before = await scrapeText(engine.metricsUrl!);
    const calls = sampleValue(before, 'qix_requests_total');
    const engineCalls = Number(before.find((f) => f.name === 'qix_request_duration_seconds')!.metrics[0]!.count ?? 0);
    const missing = await fetch(`${engine.url}/v1/apps/no-such-app-4711`);
    const missingBytes = (await missing.arrayBuffer()).byteLength;
    const list = await fetch(`${engine.url}/sessions`);
    const listBytes = (await list.arrayBuffer()).byteLength;
    await fetch(`${engine.url}/__control/journal`);
    await fetch(`${engine.url}/v1/nothing-here-either`);

    const text = await (await fetch(engine.metricsUrl!)).text();
    expect(text).not.toContain('no-such-app-4711'); // the template, never the raw URL
    const after = parsePrometheusText(text);
    expect(sampleValue(after, 'qix_requests_total')).toBe(calls + 4);
    // Engine operations only (the control call and the unmatched path are not the engine's work).
    expect(Number(after.find((f) => f.name === 'qix_request_duration_seconds')!.metrics[0]!.count)).toBe(engineCalls + 2);

    const json = await scrapeJson(engine.metricsUrl!);
    const appDuration = jsonMetric(json, 'http_request_duration_seconds', { method: 'GET', path: '/v1/apps/{appId}', status_code: '404' });
    expect(appDuration?.histogram?.sampleCount).toBe(1);
    expect(appDuration?.histogram?.sampleSum).toBeGreaterThan(0);
    expect(jsonMetric(json, 'http_response_size_bytes', { path: '/v1/apps/{appId}', status_code: '404' })?.histogram?.sampleSum).toBe(missingBytes);
    expect(jsonMetric(json, 'http_response_size_bytes', { path: '/sessions', status_code: '200' })?.histogram?.sampleSum).toBe(listBytes);
    expect(jsonMetric(json, 'http_request_duration_seconds', { path: '/__control/journal', status_code: '200' })?.histogram?.sampleCount).toBe(1);
    expect(jsonMetric(json, 'http_request_duration_seconds', { path: 'unmatched', status_code: '404' })?.histogram?.sampleCount).toBe(1);
    // The text form says the same, label set by label set.
    expect(text).toContain('http_request_duration_seconds_count{method="GET",path="/v1/apps/{appId}",status_code="404"} 1');
  });

  it('counts the requests in flight', async () => {
    await engine.setFaults([{ path: '/sessions', latencyMs: 60_000, count: 1 }]);
    const controller = new AbortController();
    const held = fetch(`${engine.url}/sessions`, { signal: controller.signal }).catch(() => undefined);
    try {
      let active = 0;
      for (let attempt = 0; attempt < 200 && active === 0; attempt += 1) active = sampleValue(await scrapeText(engine.metricsUrl!), 'qix_active_requests');
      expect(active).toBe(1);
    } finally {
      controller.abort();
      await held;
    }
  });

  it('reports the figures a scenario sets, as /healthcheck does', async () => {
    await engine.addScenario(manySessions(600, 450));
    await engine.useScenario('crowded');
    const health = await healthcheck(engine);
    const families = await scrapeText(engine.metricsUrl!);
    expect(sampleValue(families, 'qix_active_sessions')).toBe(450);
    expect(health.session.active).toBe(450);
    expect(sampleValue(families, 'qix_sessions_total')).toBe(600);
    expect(sampleValue(families, 'qix_active_documents')).toBe(2);
    expect(sampleValue(families, 'qix_selections_total')).toBe(1234);
    expect(health.apps.selections).toBe(1234);
    expect(sampleValue(families, 'qix_cache_hits_total')).toBe(50);
    expect(health.cache).toMatchObject({ hits: 50, lookups: 80, added: 30 });
    expect(sampleValue(families, 'qix_cache_lookups_total')).toBe(80);
    expect(sampleValue(families, 'qix_cache_objects_added_total')).toBe(30);
    // The world survives export and restore with its figures.
    expect((await engine.state()).figures).toEqual({ selections: 1234, cache: { hits: 50, lookups: 80, added: 30, replaced: 0, bytesAdded: 0 } });
  });

  it('refuses figures beyond the int32 /healthcheck reports them as, and takes the largest that fits', async () => {
    const refused = await fetch(`${engine.url}/__control/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...manySessions(1, 1), name: 'overflowing', figures: { cache: { bytesAdded: 2 ** 31 } } }),
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { errors: { code: string; source?: { pointer?: string }; meta?: { rule?: string } }[] };
    expect(body.errors[0]).toMatchObject({ code: 'INVALID_SCENARIO', source: { pointer: '/figures/cache/bytesAdded' }, meta: { rule: 'maximum' } });
    await engine.addScenario({ ...manySessions(1, 1), name: 'full', figures: { selections: 2 ** 31 - 1, cache: { bytesAdded: 2 ** 31 - 1 } } });
    await engine.useScenario('full');
    const health = await healthcheck(engine);
    expect(health.apps.selections).toBe(2 ** 31 - 1);
    expect(health.cache.bytes_added).toBe(2 ** 31 - 1);
  });

  it('shows the busy and unhealthy scenarios as /health does', async () => {
    const conditionOf = async () => {
      const families = await scrapeText(engine.metricsUrl!);
      return ['healthy', 'busy', 'unhealthy'].filter((condition) => sampleValue(families, 'qlik_engine_double_condition', { condition }) === 1);
    };
    expect(await conditionOf()).toEqual(['healthy']);
    await engine.useScenario('busy');
    expect((await fetch(`${engine.url}/health`)).status).toBe(429);
    expect((await healthcheck(engine)).saturated).toBe(true);
    expect(await conditionOf()).toEqual(['busy']);
    expect(sampleValue(await scrapeText(engine.metricsUrl!), 'qix_active_sessions')).toBe(3);
    await engine.useScenario('unhealthy');
    expect((await fetch(`${engine.url}/health`)).status).toBe(503);
    expect(await conditionOf()).toEqual(['unhealthy']);
  });

  it('answers the JSON form to Accept: application/json, read as the license test reads it', async () => {
    const health = await healthcheck(engine);
    const response = await fetch(engine.metricsUrl!, { headers: { accept: 'application/json' } });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { name: string; type: string; metric: { gauge?: { value: number } }[] }[];
    const sessions = body.find((family) => family.name === 'qix_active_sessions')!;
    expect(sessions.type).toBe('GAUGE');
    expect(sessions.metric[0]!.gauge!.value).toBe(health.session.active);
    const histogram = jsonMetric(body as never, 'qix_request_duration_seconds')!.histogram!;
    expect(histogram.sampleCount).toBe(1);
    expect(histogram.bucket.map((b) => b.upperBound)).toEqual([...histogram.bucket.map((b) => b.upperBound)].sort((a, b) => a - b));
    expect(histogram.bucket.at(-1)!.cumulativeCount).toBeLessThanOrEqual(histogram.sampleCount);
    // Prometheus's own Accept, which names no JSON, gets text.
    const scraper = await fetch(engine.metricsUrl!, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' } });
    expect((await scraper.text()).startsWith('#')).toBe(true);
  });

  it('reports the namespace the header names, the default one without it', async () => {
    const worker = engine.namespace('worker-1');
    await worker.useScenario('busy');
    const own = await scrapeText(engine.metricsUrl!, worker.headers as Record<string, string>);
    expect(sampleValue(own, 'qix_active_sessions')).toBe((await healthcheck(engine, worker.headers as Record<string, string>)).session.active);
    expect(sampleValue(own, 'qlik_engine_double_condition', { condition: 'busy' })).toBe(1);
    const plain = await scrapeText(engine.metricsUrl!);
    expect(sampleValue(plain, 'qlik_engine_double_condition', { condition: 'healthy' })).toBe(1);
    expect(sampleValue(plain, 'qix_active_sessions')).toBe((await healthcheck(engine)).session.active);
    const bad = await fetch(engine.metricsUrl!, { headers: { 'x-engine-double-namespace': 'no spaces' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('INVALID_NAMESPACE');
  });

  it('obeys fault rules whose path is /metrics: status, drop and latency', async () => {
    await engine.setFaults([
      { path: '/metrics', status: 503, count: 1 },
      { path: '/metrics', drop: true, count: 1 },
      { path: '/metrics', latencyMs: 150, count: 1 },
    ]);
    const failed = await fetch(engine.metricsUrl!);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ errors: [{ code: 'INJECTED_FAULT' }] });
    await expect(fetch(engine.metricsUrl!)).rejects.toThrow();
    const started = performance.now();
    expect((await fetch(engine.metricsUrl!)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await engine.faults()).length).toBe(0);
    // Each scrape is journaled, marked with its door, with the rule that hit it.
    const scrapes = (await engine.received({ path: '/metrics' })).slice(-3);
    expect(scrapes.map((e) => [e.door, e.status, e.fault?.status ?? e.fault?.drop ?? e.fault?.latencyMs])).toEqual([
      ['metrics', 503, 503],
      ['metrics', undefined, true],
      ['metrics', 200, 150],
    ]);
    // The API port's /health was never hit by those rules.
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });
});

describe('the metrics port', () => {
  async function takenPort(): Promise<{ port: number; close: () => void }> {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    return { port: (blocker.address() as { port: number }).port, close: () => blocker.close() };
  }

  it('refuses to start on a taken port that was asked for, leaving nothing listening', async () => {
    const taken = await takenPort();
    try {
      await expect(startEngineDouble({ metrics: { port: taken.port } })).rejects.toThrow(`the metrics port ${taken.port} is taken`);
    } finally {
      taken.close();
    }
  });

  it('falls back to a free port when the default one is taken', async () => {
    const taken = await takenPort();
    const engine = await startEngineDouble({ metrics: { port: taken.port, fallbackToFreePort: true } });
    try {
      expect(engine.metricsPort).not.toBe(taken.port);
      expect((await fetch(engine.metricsUrl!)).status).toBe(200);
    } finally {
      taken.close();
      await engine.close();
    }
  });

  it('answers one form whatever Accept asks when the format is forced', async () => {
    const engine = await startEngineDouble({ metrics: { port: 0, format: 'json' } });
    try {
      const body = await (await fetch(engine.metricsUrl!, { headers: { accept: 'text/plain' } })).json();
      expect(Array.isArray(body)).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('is off unless asked for in process', async () => {
    const engine = await startEngineDouble({});
    try {
      expect(engine.metricsUrl).toBeUndefined();
    } finally {
      await engine.close();
    }
  });
});

describe('the metrics port and broken HTTP', () => {
  it('answers a request Node cannot parse in the error shape, as the API port does', async () => {
    const engine = await startEngineDouble({ metrics: { port: 0 } });
    try {
      const socket = connect(engine.metricsPort!, '127.0.0.1');
      socket.end('GET /metrics HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n');
      let reply = '';
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
      await once(socket, 'close');
      expect(reply).toMatch(/^HTTP\/1\.1 400/);
      expect(reply).toContain('"code":"MALFORMED_HTTP"');
    } finally {
      await engine.close();
    }
  });
});
