/**
 * GET /health and GET /healthcheck. /health answers only with its status, as clients read nothing
 * else: 200 healthy, 429 busy (EnableLameDuckHealthCheck=1), 503 unhealthy. /healthcheck reports the
 * process's real memory and CPU, and figures derived from the engine model.
 */
import os from 'node:os';
import { doubleError } from '../errors';
import type { HealthcheckStatus } from '../spec/types';
import type { RouteTable } from './types';

export const ENGINE_VERSION = '12.268.0';

const MEGABYTE = 1024 * 1024;
const CPU_WINDOW_MS = 30_000;

/** Engines print `started` in ISO 8601 basic form: 20180216T094833.000Z. */
export function compactIsoTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

interface CpuSample {
  at: number;
  micros: number;
}

/** CPU use of this process in percent of all cores, averaged over (up to) the last 30 s of calls. */
class CpuMeter {
  private samples: CpuSample[] = [{ at: performance.now(), micros: 0 }];
  private readonly base = process.cpuUsage();

  percent(): number {
    const { user, system } = process.cpuUsage(this.base);
    const now: CpuSample = { at: performance.now(), micros: user + system };
    this.samples = this.samples.filter((s) => now.at - s.at <= CPU_WINDOW_MS);
    const oldest = this.samples[0] ?? now;
    this.samples.push(now);
    const elapsedMicros = (now.at - oldest.at) * 1000;
    if (elapsedMicros <= 0) return 0;
    return Math.min(100, ((now.micros - oldest.micros) / (elapsedMicros * os.availableParallelism())) * 100);
  }
}

const cpuMeter = new CpuMeter();

export const healthRoutes: RouteTable = {
  'GET /health': (_request, { model }) => {
    if (model.condition === 'busy') {
      throw doubleError('engineBusy', { detail: 'the scenario has the engine busy: /health answers 429 as with EnableLameDuckHealthCheck=1' });
    }
    if (model.condition === 'unhealthy') throw doubleError('engineUnhealthy', { detail: 'the scenario has the engine unhealthy' });
    return { status: 200 };
  },

  'GET /healthcheck': (_request, { model, stats }) => {
    const memory = process.memoryUsage();
    const usage = model.usage();
    const body: HealthcheckStatus = {
      version: ENGINE_VERSION,
      started: compactIsoTimestamp(stats.startedAt),
      mem: { committed: memory.rss / MEGABYTE, allocated: memory.heapUsed / MEGABYTE, free: os.freemem() / MEGABYTE },
      cpu: { total: cpuMeter.percent() },
      session: { active: usage.sessionActive, total: usage.sessionTotal },
      apps: {
        active_docs: usage.activeDocs,
        loaded_docs: usage.loadedDocs,
        in_memory_docs: usage.inMemoryDocs,
        calls: stats.calls,
        selections: usage.selections,
      },
      users: { active: usage.usersActive, total: usage.usersTotal },
      cache: usage.cache,
      saturated: model.condition === 'busy',
    };
    return { status: 200, body };
  },
};
