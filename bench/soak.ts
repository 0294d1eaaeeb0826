/**
 * `npm run soak`: the double under a mixed load while hostile requests (issue 12, items 1-3) are in
 * flight. The server runs as the CLI in a child process; autocannon and the hostile client run here.
 * Reports RSS before, after the load and after a reset, the worst and p99 latency of a /health probe
 * sent every PROBE_INTERVAL_MS meanwhile, how long each hostile request took, and whether Node
 * clients read the 413 of an over-limit body (issue 11).
 *
 *   npm run soak -- [--seconds 20] [--connections 20] [--tries 10]
 *
 * Figures only: it exits 0 whatever they are, unless the double dies or answers a hostile request with a 5xx.
 */
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { call, freePort, killChildren, LOOPBACK, memoryOf, ROOT, sleep, startServer, stopChild, type Child } from './harness';

const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const PROBE_INTERVAL_MS = 20;
/** Pause between hostile requests: the mixed load must get a share of the server to be measured. */
const HOSTILE_INTERVAL_MS = 100;
const SETTLE_MS = 1_000;
const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** `{"a":…{}…}` nested `depth` objects deep. */
const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

/** Items 1-3 of issue 12, as they were sent when the issue was filed. */
const HOSTILE: { name: string; method: string; path: string; body: string; contentType: string }[] = [
  { name: 'faults, 100k wrong rules', method: 'PUT', path: '/__control/faults', body: JSON.stringify({ rules: new Array(100_000).fill(1) }), contentType: 'application/json' },
  { name: 'faults, 1M wrong rules', method: 'PUT', path: '/__control/faults', body: JSON.stringify({ rules: new Array(1_000_000).fill(1) }), contentType: 'application/json' },
  { name: 'scenario, 30k wrong apps', method: 'POST', path: '/__control/scenarios', body: JSON.stringify({ name: 'x', apps: new Array(30_000).fill(1) }), contentType: 'application/json' },
  { name: 'scenario, 100k wrong apps', method: 'POST', path: '/__control/scenarios', body: JSON.stringify({ name: 'x', apps: new Array(100_000).fill(1) }), contentType: 'application/json' },
  { name: 'state, 30k wrong apps', method: 'PUT', path: '/__control/state', body: JSON.stringify({ name: 'x', apps: new Array(30_000).fill(1) }), contentType: 'application/json' },
  { name: 'import, custom 9,000 deep', method: 'POST', path: '/v1/apps/import', body: `{"attributes":{"name":"deep","custom":${nested(9000)}}}`, contentType: 'application/octet-stream' },
  { name: 'state, custom 9,000 deep', method: 'PUT', path: '/__control/state', body: `{"name":"deep","apps":[{"attributes":{"custom":${nested(9000)}}}]}`, contentType: 'application/json' },
];

interface Probes {
  latencies: number[];
  failures: number;
}

/** GET /health every PROBE_INTERVAL_MS until `stop` is set; each probe's latency, and the failures. */
async function probeHealth(url: string, stop: { done: boolean }): Promise<Probes> {
  const probes: Probes = { latencies: [], failures: 0 };
  while (!stop.done) {
    const started = performance.now();
    try {
      const reply = await call(`${url}/health`, { discardBody: true });
      if (reply.status !== 200) probes.failures += 1;
    } catch {
      probes.failures += 1;
    }
    probes.latencies.push(performance.now() - started);
    await sleep(PROBE_INTERVAL_MS);
  }
  return probes;
}

interface HostileFigures {
  name: string;
  status: number;
  answerBytes: number;
  ms: number;
}

/** Each hostile request in turn, HOSTILE_INTERVAL_MS apart, again and again, until `stop` is set. Throws on a 5xx. */
async function sendHostile(url: string, stop: { done: boolean }): Promise<HostileFigures[]> {
  const figures: HostileFigures[] = [];
  while (!stop.done) {
    for (const hostile of HOSTILE) {
      const started = performance.now();
      const reply = await call(`${url}${hostile.path}`, { method: hostile.method, headers: { 'content-type': hostile.contentType }, body: hostile.body });
      const ms = performance.now() - started;
      if (reply.status >= 500) throw new Error(`${hostile.name}: ${reply.status} ${reply.body.subarray(0, 300).toString()}`);
      figures.push({ name: hostile.name, status: reply.status, answerBytes: reply.body.length, ms });
      if (stop.done) break;
      await sleep(HOSTILE_INTERVAL_MS);
    }
  }
  return figures;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

type Outcome = string;

async function fetchOverLimit(url: string, bytes: number): Promise<Outcome> {
  try {
    const res = await fetch(`${url}/v1/apps`, { method: 'POST', headers: JSON_HEADERS, body: Buffer.alloc(bytes, 0x20) });
    await res.arrayBuffer();
    return String(res.status);
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  }
}

function requestOverLimit(url: string, bytes: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/v1/apps`, { method: 'POST', agent: false, headers: { ...JSON_HEADERS, 'content-length': bytes } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(Buffer.alloc(bytes, 0x20));
  });
}

function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count}× ${outcome}`).join(', ');
}

async function serve(args: string[]): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const url = `http://${LOOPBACK}:${port}`;
  const { child } = await startServer([CLI, 'serve', '--port', String(port), '--host', LOOPBACK, ...args], `${url}/health`);
  return { child, url };
}

async function soak(seconds: number, connections: number): Promise<void> {
  const { child, url } = await serve(['--scenario', 'default']);
  try {
    await sleep(SETTLE_MS);
    const before = memoryOf(child.pid);
    const stop = { done: false };
    const probes = probeHealth(url, stop);
    const hostile = sendHostile(url, stop);
    const load = autocannon({
      url,
      connections,
      duration: seconds,
      requests: [
        { method: 'GET', path: '/health' },
        { method: 'GET', path: `/v1/apps/${SALES_OVERVIEW}` },
        { method: 'POST', path: '/v1/apps', headers: JSON_HEADERS, body: JSON.stringify({ attributes: { name: 'soak' } }) },
        { method: 'GET', path: `/v1/apps/${SALES_OVERVIEW}/media/list/images` },
      ],
    });
    const result = await load;
    stop.done = true;
    const [probeFigures, hostileFigures] = await Promise.all([probes, hostile]);
    await sleep(SETTLE_MS);
    const after = memoryOf(child.pid);
    await call(`${url}/__control/reset`, { method: 'POST' });
    await call(`${url}/__control/journal`, { method: 'DELETE' });
    await sleep(SETTLE_MS);
    const afterReset = memoryOf(child.pid);

    console.log(`mixed load: ${seconds} s, ${connections} connections, ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`);
    console.log(`RSS (MiB): before ${before.rssMiB.toFixed(0)}, after load ${after.rssMiB.toFixed(0)} (peak ${after.peakRssMiB.toFixed(0)}), after reset ${afterReset.rssMiB.toFixed(0)}`);
    console.log(
      `/health probes while hostile requests were in flight: ${probeFigures.latencies.length} sent, ${probeFigures.failures} failed, p50 ${percentile(probeFigures.latencies, 50).toFixed(1)} ms, p99 ${percentile(probeFigures.latencies, 99).toFixed(1)} ms, worst ${Math.max(...probeFigures.latencies).toFixed(1)} ms`,
    );
    console.log('hostile request                 sent  statuses  worst ms  largest answer (bytes)');
    for (const { name } of HOSTILE) {
      const mine = hostileFigures.filter((f) => f.name === name);
      if (mine.length === 0) continue;
      console.log(
        `${name.padEnd(30)}  ${String(mine.length).padStart(4)}  ${[...new Set(mine.map((f) => f.status))].join('/').padStart(8)}  ${Math.max(...mine.map((f) => f.ms)).toFixed(0).padStart(8)}  ${String(Math.max(...mine.map((f) => f.answerBytes))).padStart(22)}`,
      );
    }
  } finally {
    await stopChild(child);
  }
}

/** Issue 11: over-limit bodies sent by Node clients, within and far beyond the drained 4x. */
async function readable413(tries: number): Promise<void> {
  const limit = 2 * 1024 * 1024;
  const { child, url } = await serve(['--scenario', 'empty', '--body-limit', String(limit)]);
  try {
    for (const factor of [3.5, 20]) {
      const bytes = Math.round(limit * factor);
      for (const [name, client] of [['fetch', fetchOverLimit], ['http.request', requestOverLimit]] as const) {
        const outcomes: Outcome[] = [];
        for (let i = 0; i < tries; i += 1) outcomes.push(await client(url, bytes));
        console.log(`413 readable: ${name}, body ${factor}x the 2 MiB limit: ${tally(outcomes)}`);
      }
    }
  } finally {
    await stopChild(child);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '20' }, tries: { type: 'string', default: '10' } },
  });
  await soak(Number(values.seconds), Number(values.connections));
  await readable413(Number(values.tries));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  killChildren();
  process.exit(1);
});
