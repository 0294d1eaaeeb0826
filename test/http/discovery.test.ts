/**
 * The loop Qlik's engine-discovery service runs against an engine, and what a session-placement
 * service concludes from it: every 100 ms, GET :9076/healthcheck then GET :9090/metrics with
 * Accept: application/json; a body starting with "#" is Prometheus text, anything else JSON;
 * status codes are never looked at. OK engines are kept, with mem.free, cpu.total and
 * qix_active_sessions; a failed health read is UNHEALTHY, a failed metrics read NO_METRICS.
 */
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { parsePrometheusText, sampleValue } from '../support/prometheus';

const POLL_INTERVAL_MS = 100;

interface Conclusion {
  status: 'OK' | 'UNHEALTHY' | 'NO_METRICS';
  saturated?: boolean;
  memFree?: number;
  cpuTotal?: number;
  activeSessions?: number;
}

async function readHealth(url: string): Promise<{ saturated: boolean; memFree: number; cpuTotal: number } | undefined> {
  try {
    const body = (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as { mem?: { free?: unknown }; cpu?: { total?: unknown }; saturated?: unknown };
    if (typeof body.mem?.free !== 'number' || typeof body.cpu?.total !== 'number') return undefined;
    return { saturated: body.saturated === true, memFree: body.mem.free, cpuTotal: body.cpu.total };
  } catch {
    return undefined;
  }
}

async function readActiveSessions(url: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(url, { headers: { accept: 'application/json' } })).text();
    if (text.startsWith('#')) return sampleValue(parsePrometheusText(text), 'qix_active_sessions');
    const families = JSON.parse(text) as { name: string; metric: { gauge: { value: number } }[] }[];
    const value = families.find((family) => family.name === 'qix_active_sessions')?.metric[0]?.gauge.value;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until stopped; `until` resolves at the first conclusion that satisfies the predicate. */
function discoveryLoop(engine: EngineDouble) {
  const waiters: { accept: (c: Conclusion) => boolean; resolve: (c: Conclusion) => void }[] = [];
  let stopped = false;
  let polls = 0;
  const poll = async (): Promise<void> => {
    const health = await readHealth(`${engine.url}/healthcheck`);
    const activeSessions = await readActiveSessions(engine.metricsUrl!);
    const conclusion: Conclusion =
      health === undefined ? { status: 'UNHEALTHY' } : activeSessions === undefined ? { status: 'NO_METRICS' } : { status: 'OK', ...health, activeSessions };
    polls += 1;
    for (const waiter of [...waiters]) {
      if (waiter.accept(conclusion)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(conclusion);
      }
    }
  };
  const done = (async () => {
    while (!stopped) {
      const next = new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      await poll();
      await next;
    }
  })();
  return {
    until: (accept: (c: Conclusion) => boolean) => new Promise<Conclusion>((resolve) => waiters.push({ accept, resolve })),
    polls: () => polls,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

describe('an engine-discovery polling loop against the double', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ scenario: 'default', metrics: { port: 0 }, log: () => undefined });
  });
  afterAll(() => engine.close());

  it('concludes what each scenario and fault says, switch after switch', async () => {
    const loop = discoveryLoop(engine);
    try {
      const healthy = await loop.until((c) => c.status === 'OK');
      const defaultSessions = (await engine.state()).sessions!.filter((s) => s.state === 'active').length;
      expect(healthy).toMatchObject({ status: 'OK', saturated: false, activeSessions: defaultSessions });
      expect(healthy.memFree).toBeGreaterThan(0);
      expect(healthy.cpuTotal).toBeGreaterThanOrEqual(0);

      await engine.useScenario('busy');
      expect(await loop.until((c) => c.saturated === true)).toMatchObject({ status: 'OK', saturated: true, activeSessions: 3 });

      // It never reads status codes: an engine whose /health answers 503 still reports its figures.
      await engine.useScenario('unhealthy');
      expect(await loop.until((c) => c.status === 'OK' && c.activeSessions === 0 && c.saturated === false)).toMatchObject({ status: 'OK' });

      await engine.setFaults([{ path: '/healthcheck', drop: true }]);
      expect(await loop.until((c) => c.status !== 'OK')).toEqual({ status: 'UNHEALTHY' });

      // A 500 on the metrics port: its body is the double's JSON error, no metric family in it.
      await engine.setFaults([{ path: '/metrics', status: 500 }]);
      expect(await loop.until((c) => c.status !== 'UNHEALTHY')).toEqual({ status: 'NO_METRICS' });
      await engine.setFaults([{ path: '/metrics', drop: true }]);
      const dropped = loop.polls();
      expect(await loop.until(() => loop.polls() > dropped + 1)).toEqual({ status: 'NO_METRICS' });

      await engine.clearFaults();
      await engine.useScenario('default');
      expect(await loop.until((c) => c.status === 'OK')).toMatchObject({ status: 'OK', saturated: false, activeSessions: defaultSessions });
    } finally {
      await loop.stop();
    }
  });
});
