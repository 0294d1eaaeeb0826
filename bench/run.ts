/**
 * `npm run bench`: start-up, throughput and memory of the double, side by side with `prism mock`
 * on the same contract and a bare node:http server (the ceiling of this machine). Every server runs
 * in a child process on loopback; autocannon runs here, so load generator and server never share an
 * event loop. Prints a table, checks the targets of issue 6, writes bench/results.json.
 *
 *   npm run bench -- [--runs 5] [--seconds 6] [--connections 50] [--rounds 3] [--strict]
 *                    [--qix-sessions 300] [--qix-seconds 3] [--only qix|worlds] [--before main]
 *
 * `--only qix` runs the QIX websocket part alone (bench/qix.ts); `--only worlds` the worlds part
 * alone (bench/worlds.ts), which measures the `--before` ref (built into .tmp) and this tree side by side.
 *
 * Exits 0 whatever the figures, unless --strict is given and a target is missed (exit 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  call,
  freePort,
  killChildren,
  LOOPBACK,
  loadTest,
  median,
  memoryOf,
  MIB,
  resetPeakRss,
  ROOT,
  sleep,
  startNode,
  startServer,
  stopChild,
  type Child,
  type Load,
  type LoadFigures,
  type Reply,
} from './harness';
import { qixFigures, type QixFigures, type QixServerFigures } from './qix';
import { buildTree, measureWorlds, worldsReport, worldTargets } from './worlds';

const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const IN_PROCESS_CHILD = path.join(__dirname, 'in-process-start.js');
const CEILING_CHILD = path.join(__dirname, 'ceiling-server.js');
const PRISM = fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'prism'));
const SPEC = path.join(ROOT, 'spec', 'qlik-associative-engine-api.json');
const RESULTS = path.join(ROOT, 'bench', 'results.json');

/** The whole run is stopped (and its servers killed) past this, whatever it is doing. */
const RUN_BUDGET_MS = 12 * 60_000;
const WARM_UP_SECONDS = 1;
const CREATE_BODY = JSON.stringify({ attributes: { name: 'Bench', description: 'made by npm run bench' } });
const JSON_HEADERS = { 'content-type': 'application/json' };
const LARGE_APP_COUNT = 5_000;
/** Concurrent POSTs when the large world has to be made over HTTP. */
const CREATE_CONCURRENCY = 16;
const MEDIA_FILE_BYTES = 20 * MIB;
/** Uploads that replace the file after the first one, reported apart from the target. */
const MEDIA_OVERWRITES = 2;
const MEDIA_DOWNLOADS = 5;
const RSS_SAMPLE_MS = 10;
/** Time given to a server after start or load before its RSS is read. */
const SETTLE_MS = 1_000;

interface Settings {
  runs: number;
  seconds: number;
  connections: number;
  /** Alternating GET rounds of the double and node:http (the median round of each is reported). */
  rounds: number;
  strict: boolean;
  qixSessions: number;
  qixSeconds: number;
  /** Only the QIX websocket part, or only the worlds part. */
  only: 'qix' | 'worlds' | undefined;
  /** The ref the worlds part measures as BEFORE. */
  before: string;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '6' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      strict: { type: 'boolean', default: false },
      'qix-sessions': { type: 'string', default: '300' },
      'qix-seconds': { type: 'string', default: '3' },
      only: { type: 'string' },
      before: { type: 'string', default: 'main' },
    },
  });
  const whole = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${value}`);
    return n;
  };
  return {
    runs: whole('runs', values.runs, 1, 20),
    seconds: whole('seconds', values.seconds, 1, 30),
    connections: whole('connections', values.connections, 1, 500),
    rounds: whole('rounds', values.rounds, 1, 9),
    strict: values.strict,
    qixSessions: whole('qix-sessions', values['qix-sessions'], 1, 100_000),
    qixSeconds: whole('qix-seconds', values['qix-seconds'], 1, 30),
    only: onlyPart(values.only),
    before: values.before,
  };
}

function onlyPart(only: string | undefined): Settings['only'] {
  if (only !== undefined && only !== 'qix' && only !== 'worlds') throw new Error(`--only takes qix or worlds (that part alone), not ${only}`);
  return only;
}

/** The worlds part: the --before ref and this tree, side by side. */
async function worlds(options: Settings): Promise<{ report: string; figures: object; missed: boolean }> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  log(`worlds: building ${options.before} into .tmp...`);
  const before = buildTree(options.before);
  // A ref given as a commit is named once ("0931da7"), a branch with its commit ("main 8be4368").
  const beforeLabel = before.commit.startsWith(options.before) ? before.commit : `${options.before} ${before.commit}`;
  const beforeFigures = await measureWorlds(before.tree, beforeLabel, log);
  const afterFigures = await measureWorlds(ROOT, 'this tree', log);
  const targets = worldTargets(beforeFigures, afterFigures);
  return { report: worldsReport(beforeFigures, afterFigures, targets), figures: { before: beforeFigures, after: afterFigures, targets }, missed: targets.some((t) => !t.pass) };
}

const baseUrl = (port: number) => `http://${LOOPBACK}:${port}`;
const serveArgs = (port: number, ...extra: string[]) => [CLI, 'serve', '--port', String(port), '--host', LOOPBACK, ...extra];
const prismArgs = (port: number, spec: string, ...extra: string[]) => [PRISM, 'mock', '-p', String(port), '-h', LOOPBACK, ...extra, spec];

async function startDouble(...extra: string[]): Promise<{ child: Child; url: string; readyMs: number }> {
  const port = await freePort();
  const url = baseUrl(port);
  const { child, readyMs } = await startServer(serveArgs(port, ...extra), `${url}/health`);
  return { child, url, readyMs };
}

/** Creates an app over HTTP and returns its id. */
async function postApp(url: string, name = 'Bench'): Promise<string> {
  const reply = await call(`${url}/v1/apps`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ attributes: { name } }) });
  if (reply.status !== 200) throw new Error(`POST /v1/apps answered ${reply.status}: ${reply.body.toString('utf8')}`);
  return (JSON.parse(reply.body.toString('utf8')) as { attributes: { id: string } }).attributes.id;
}

// ---------------------------------------------------------------- start-up

interface InProcessRun {
  status: number;
  /** CPU time (user + system) of require + start. */
  requireAndStartCpuMs: number;
  nodeBootMs: number;
  requireMs: number;
  startMs: number;
  firstAnswerMs: number;
}

interface StartupRuns {
  /** Spawn → first 200 on /health. */
  wallMs: number[];
  /** CPU time the server had used by then. */
  cpuMs: number[];
}

interface StartupFigures {
  cli: StartupRuns;
  inProcess: InProcessRun[];
  prism: StartupRuns;
  /** `node -e 0`, spawn to exit: what any Node server pays before its first line runs, on this machine. */
  bareNodeMs: number[];
  median: {
    bareNodeMs: number;
    cliMs: number;
    cliCpuMs: number;
    requirePlusStartMs: number;
    requirePlusStartCpuMs: number;
    requireMs: number;
    startOnlyMs: number;
    firstAnswerMs: number;
    nodeBootMs: number;
    prismMs: number;
    prismCpuMs: number;
  };
}

/** Spawn → first 200 on /health, `runs` times, each in a fresh process. */
async function timeStartups(runs: number, args: (port: number) => string[]): Promise<StartupRuns> {
  const times: StartupRuns = { wallMs: [], cpuMs: [] };
  for (let run = 0; run < runs; run += 1) {
    const port = await freePort();
    const { child, readyMs, cpuMs } = await startServer(args(port), `${baseUrl(port)}/health`);
    times.wallMs.push(readyMs);
    times.cpuMs.push(cpuMs);
    await stopChild(child);
  }
  return times;
}

async function inProcessRun(): Promise<InProcessRun> {
  const child = startNode([IN_PROCESS_CHILD], { stdout: 'pipe' });
  let output = '';
  child.process.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  // 'close', not 'exit': it comes after stdout has been read to its end.
  const code = await new Promise<number | null>((resolve) => child.process.once('close', resolve));
  if (code !== 0) throw new Error(`in-process start failed (exit ${code}): ${child.stderrTail()}`);
  const run = JSON.parse(output) as InProcessRun;
  if (run.status !== 200) throw new Error(`in-process double answered /health with ${run.status}`);
  return run;
}

async function bareNodeRun(): Promise<number> {
  const spawned = performance.now();
  const child = startNode(['-e', '0']);
  await new Promise((resolve) => child.process.once('exit', resolve));
  return performance.now() - spawned;
}

async function startup(runs: number): Promise<StartupFigures> {
  const bareNodeMs: number[] = [];
  for (let run = 0; run < runs; run += 1) bareNodeMs.push(await bareNodeRun());
  const cli = await timeStartups(runs, (port) => serveArgs(port));
  const inProcess: InProcessRun[] = [];
  for (let run = 0; run < runs; run += 1) inProcess.push(await inProcessRun());
  const prism = await timeStartups(runs, (port) => prismArgs(port, SPEC));
  const of = (pick: (run: InProcessRun) => number) => median(inProcess.map(pick));
  return {
    cli,
    inProcess,
    prism,
    bareNodeMs,
    median: {
      bareNodeMs: median(bareNodeMs),
      cliMs: median(cli.wallMs),
      cliCpuMs: median(cli.cpuMs),
      requirePlusStartMs: of((r) => r.requireMs + r.startMs),
      requirePlusStartCpuMs: of((r) => r.requireAndStartCpuMs),
      requireMs: of((r) => r.requireMs),
      startOnlyMs: of((r) => r.startMs),
      firstAnswerMs: of((r) => r.firstAnswerMs),
      nodeBootMs: of((r) => r.nodeBootMs),
      prismMs: median(prism.wallMs),
      prismCpuMs: median(prism.cpuMs),
    },
  };
}

// ---------------------------------------------------------------- throughput

interface ThroughputFigures {
  /** The median of the alternating rounds (by req/s), as is nodeHttpGet. */
  doubleGet: LoadFigures;
  doublePost: LoadFigures;
  prismGet: LoadFigures;
  prismPost: LoadFigures;
  nodeHttpGet: LoadFigures;
  /** req/s of every alternating GET round, in order. */
  getRounds: { double: number[]; nodeHttp: number[] };
  getResponseBytes: number;
}

async function measure(load: Load): Promise<LoadFigures> {
  await loadTest({ ...load, seconds: WARM_UP_SECONDS });
  return loadTest(load);
}

/** The round with the median req/s (the upper one of an even count), with its own latencies and CPU. */
function medianRound(rounds: LoadFigures[]): LoadFigures {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * GET on the double and on node:http in alternating rounds after one warm-up each: on a shared
 * machine the speed drifts within a minute, and a ratio of two figures taken a minute apart
 * measured the drift as much as the servers. Alternating puts both under the same conditions.
 */
async function alternatingGets(double: Load, ceiling: Load, rounds: number): Promise<{ double: LoadFigures[]; nodeHttp: LoadFigures[] }> {
  await loadTest({ ...double, seconds: WARM_UP_SECONDS });
  await loadTest({ ...ceiling, seconds: WARM_UP_SECONDS });
  const figures = { double: [] as LoadFigures[], nodeHttp: [] as LoadFigures[] };
  for (let round = 0; round < rounds; round += 1) {
    figures.double.push(await loadTest(double));
    figures.nodeHttp.push(await loadTest(ceiling));
  }
  return figures;
}

/**
 * Prism refuses any JSON body for POST /v1/apps on the engine's contract (it declares no
 * `consumes`; Prism answers 415), so it is measured on a copy that adds the one `consumes` the
 * double assumes for such operations. GET behaves the same on both.
 */
function prismComparableSpec(dir: string): string {
  const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
  const file = path.join(dir, 'engine-api-with-consumes.json');
  fs.writeFileSync(file, JSON.stringify({ ...spec, consumes: ['application/json'] }));
  return file;
}

/** node:http answering every request with the bytes and Content-Type the double sent for GET. */
async function startCeiling(getReply: Reply, tmp: string): Promise<{ child: Child; url: string }> {
  const bodyFile = path.join(tmp, 'get-app-response.json');
  fs.writeFileSync(bodyFile, getReply.body);
  const port = await freePort();
  const url = baseUrl(port);
  const { child } = await startServer([CEILING_CHILD, String(port), bodyFile, getReply.headers['content-type'] ?? 'application/json'], `${url}/health`);
  return { child, url };
}

async function throughput(settings: Settings, tmp: string): Promise<ThroughputFigures> {
  const load = { seconds: settings.seconds, connections: settings.connections };
  const post = { method: 'POST' as const, body: CREATE_BODY };

  const double = await startDouble();
  let getResponseBytes: number;
  let gets: { double: LoadFigures[]; nodeHttp: LoadFigures[] };
  let doublePost: LoadFigures;
  try {
    const id = await postApp(double.url);
    const getReply = await call(`${double.url}/v1/apps/${id}`);
    getResponseBytes = getReply.body.length;
    const ceiling = await startCeiling(getReply, tmp);
    try {
      const doubleGet = { url: `${double.url}/v1/apps/${id}`, serverPid: double.child.pid, ...load };
      gets = await alternatingGets(doubleGet, { url: `${ceiling.url}/v1/apps/bench-app`, serverPid: ceiling.child.pid, ...load }, settings.rounds);
    } finally {
      await stopChild(ceiling.child);
    }
    doublePost = await measure({ url: `${double.url}/v1/apps`, serverPid: double.child.pid, ...post, ...load });
  } finally {
    await stopChild(double.child);
  }

  const prismPort = await freePort();
  const prismUrl = baseUrl(prismPort);
  const prism = await startServer(prismArgs(prismPort, prismComparableSpec(tmp), '-v', 'silent'), `${prismUrl}/health`);
  let prismGet: LoadFigures;
  let prismPost: LoadFigures;
  try {
    prismGet = await measure({ url: `${prismUrl}/v1/apps/bench-app`, serverPid: prism.child.pid, ...load });
    prismPost = await measure({ url: `${prismUrl}/v1/apps`, serverPid: prism.child.pid, ...post, ...load });
  } finally {
    await stopChild(prism.child);
  }
  const requestRates = (rounds: LoadFigures[]) => rounds.map((round) => round.requestsPerSecond);
  return {
    doubleGet: medianRound(gets.double),
    doublePost,
    prismGet,
    prismPost,
    nodeHttpGet: medianRound(gets.nodeHttp),
    getRounds: { double: requestRates(gets.double), nodeHttp: requestRates(gets.nodeHttp) },
    getResponseBytes,
  };
}

// ---------------------------------------------------------------- memory

/** RSS of the double around one phase of media transfers. */
interface TransferPhase {
  uploads: number;
  downloads: number;
  beforeRssMiB: number;
  peakRssMiB: number;
  growthMiB: number;
  afterRssMiB: number;
}

interface MemoryFigures {
  idleRssMiB: number;
  large: { source: 'scenario' | 'http'; apps: number; rssMiB: number; readyMs: number };
  media: {
    fileMiB: number;
    /** The target's figure: one upload of a new file, then downloads of it. */
    transfer: TransferPhase;
    /** Uploads that replace the file: the old bytes stay until the new ones are complete. */
    overwrite: TransferPhase;
    settledRssMiB: number;
    peakFrom: 'VmHWM' | 'samples';
  };
}

/** The part of the built scenario registry the bench asks (typed here so the bench compiles apart from src/). */
interface ScenarioRegistry {
  scenarioFiles(): Map<string, unknown>;
}

function hasLargeScenario(): boolean {
  const registry = require(path.join(ROOT, 'dist', 'src', 'scenarios', 'registry.js')) as ScenarioRegistry;
  return registry.scenarioFiles().has('large');
}

/** Makes `count` apps over HTTP, `CREATE_CONCURRENCY` at a time. */
async function createApps(url: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await postApp(url, `Large ${next}`);
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
}

async function largeWorld(): Promise<MemoryFigures['large']> {
  if (hasLargeScenario()) {
    const double = await startDouble('--scenario', 'large');
    try {
      await sleep(SETTLE_MS);
      return { source: 'scenario', apps: LARGE_APP_COUNT, rssMiB: memoryOf(double.child.pid).rssMiB, readyMs: double.readyMs };
    } finally {
      await stopChild(double.child);
    }
  }
  const double = await startDouble();
  try {
    const started = performance.now();
    await createApps(double.url, LARGE_APP_COUNT);
    const readyMs = performance.now() - started;
    await sleep(SETTLE_MS);
    return { source: 'http', apps: LARGE_APP_COUNT, rssMiB: memoryOf(double.child.pid).rssMiB, readyMs };
  } finally {
    await stopChild(double.child);
  }
}

/** Samples a process's RSS while `work` runs; the peak comes from VmHWM where the kernel lets it be reset. */
async function rssDuring(pid: number, work: () => Promise<void>): Promise<{ before: number; peak: number; after: number; peakFrom: 'VmHWM' | 'samples' }> {
  const before = memoryOf(pid).rssMiB;
  const hwmReset = resetPeakRss(pid);
  let sampledPeak = before;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(pid).rssMiB)), RSS_SAMPLE_MS);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const after = memoryOf(pid);
  const peak = Math.max(sampledPeak, after.rssMiB, hwmReset ? after.peakRssMiB : 0);
  return { before, peak, after: after.rssMiB, peakFrom: hwmReset ? 'VmHWM' : 'samples' };
}

/** Uploads then downloads one 20 MiB file while sampling the server's RSS; then replaces it twice. */
async function mediaTransfer(): Promise<MemoryFigures['media']> {
  const double = await startDouble();
  const { pid } = double.child;
  try {
    const file = `${double.url}/v1/apps/${await postApp(double.url)}/media/files/big.bin`;
    const bytes = Buffer.alloc(MEDIA_FILE_BYTES, 0x5a);
    const upload = async () => {
      const reply = await call(file, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length }, body: bytes });
      if (reply.status !== 200) throw new Error(`PUT media answered ${reply.status}: ${reply.body.toString('utf8')}`);
    };
    const download = async () => {
      const reply = await call(file, { discardBody: true });
      if (reply.status !== 200 || reply.bytes !== bytes.length) throw new Error(`GET media answered ${reply.status} with ${reply.bytes} bytes`);
    };
    let peakFrom: MemoryFigures['media']['peakFrom'] = 'samples';
    const phase = async (uploads: number, downloads: number): Promise<TransferPhase> => {
      const rss = await rssDuring(pid, async () => {
        for (let n = 0; n < uploads; n += 1) await upload();
        for (let n = 0; n < downloads; n += 1) await download();
      });
      peakFrom = rss.peakFrom;
      return { uploads, downloads, beforeRssMiB: rss.before, peakRssMiB: rss.peak, growthMiB: rss.peak - rss.before, afterRssMiB: rss.after };
    };
    await sleep(SETTLE_MS);
    const transfer = await phase(1, MEDIA_DOWNLOADS);
    const overwrite = await phase(MEDIA_OVERWRITES, 0);
    await sleep(SETTLE_MS);
    return { fileMiB: MEDIA_FILE_BYTES / MIB, transfer, overwrite, settledRssMiB: memoryOf(pid).rssMiB, peakFrom };
  } finally {
    await stopChild(double.child);
  }
}

async function memory(): Promise<MemoryFigures> {
  const idle = await startDouble();
  let idleRssMiB: number;
  try {
    await sleep(SETTLE_MS);
    idleRssMiB = memoryOf(idle.child.pid).rssMiB;
  } finally {
    await stopChild(idle.child);
  }
  return { idleRssMiB, large: await largeWorld(), media: await mediaTransfer() };
}

// ---------------------------------------------------------------- report

interface Target {
  name: string;
  value: number;
  unit: string;
  limit: number;
  /** 'min': value must be >= limit; 'max': value must be <= limit; 'below': value must be < limit. */
  kind: 'min' | 'max' | 'below';
  pass: boolean;
}

function target(name: string, value: number, unit: string, kind: Target['kind'], limit: number): Target {
  const pass = kind === 'min' ? value >= limit : kind === 'max' ? value <= limit : value < limit;
  return { name, value, unit, limit, kind, pass };
}

function targets(s: StartupFigures, t: ThroughputFigures, m: MemoryFigures): Target[] {
  return [
    target('GET /v1/apps/{id} throughput vs prism -v silent', t.doubleGet.requestsPerSecond / t.prismGet.requestsPerSecond, 'x', 'min', 3),
    target('GET /v1/apps/{id} throughput vs bare node:http', t.doubleGet.requestsPerSecond / t.nodeHttpGet.requestsPerSecond, 'share', 'min', 0.4),
    target('GET /v1/apps/{id} p99 latency at 50 connections', t.doubleGet.p99Ms, 'ms', 'max', 10),
    target('CLI spawn to first 200 on /health', s.median.cliMs, 'ms', 'max', 400),
    target('in-process require + startEngineDouble()', s.median.requirePlusStartMs, 'ms', 'max', 100),
    target('CLI start-up vs prism mock start-up', s.median.prismMs / s.median.cliMs, 'x', 'min', 5),
    target('RSS idle', m.idleRssMiB, 'MiB', 'max', 80),
    target('RSS growth: 20 MiB upload + downloads', m.media.transfer.growthMiB, 'MiB', 'below', 2 * m.media.fileMiB),
  ];
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);
const pad = (text: string, width: number) => text.padEnd(width);
const left = (text: string, width: number) => text.padStart(width);

function formatTarget(t: Target): string {
  const shown = t.unit === 'share' ? `${fixed(t.value * 100)}%` : t.unit === 'x' ? `${fixed(t.value, 1)}x` : `${fixed(t.value, 1)} ${t.unit}`;
  const limit = t.unit === 'share' ? `${fixed(t.limit * 100)}%` : t.unit === 'x' ? `${t.limit}x` : `${t.limit} ${t.unit}`;
  const relation = t.kind === 'min' ? '>=' : t.kind === 'max' ? '<=' : '<';
  return `  ${t.pass ? 'PASS' : 'MISS'}  ${pad(t.name, 50)} ${left(shown, 10)}   (target ${relation} ${limit})`;
}

function loadRow(label: string, f: LoadFigures): string {
  const cells = [fixed(f.requestsPerSecond), fixed(f.p50Ms, 1), fixed(f.p99Ms, 1), fixed(f.serverCpuMicrosPerRequest), String(f.non2xx), String(f.errors)];
  return `  ${pad(label, 40)} ${cells.map((cell) => left(cell, 9)).join('')}`;
}

function transferRow(label: string, p: TransferPhase): string {
  return `    ${pad(label, 28)} before ${fixed(p.beforeRssMiB, 1)}, peak ${fixed(p.peakRssMiB, 1)}, growth ${fixed(p.growthMiB, 1)}, after ${fixed(p.afterRssMiB, 1)}`;
}

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** Other work on the machine skews every figure: the run records how busy it was. */
  loadAverageAtStart: string;
  loadAverageAtEnd?: string;
}

function report(settings: Settings, machine: Machine, s: StartupFigures, t: ThroughputFigures, m: MemoryFigures, checked: Target[]): string {
  const ms = (n: number) => `${left(fixed(n), 6)} ms`;
  const lines = [
    `qlik-engine-double benchmark: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}`,
    `load average (1/5/15 min) at start ${machine.loadAverageAtStart}, at end ${machine.loadAverageAtEnd}`,
    '',
    `Start-up (median of ${settings.runs} fresh processes)                   wall     CPU`,
    `  bare node (node -e 0), spawn to exit                   ${ms(s.median.bareNodeMs)}`,
    `  double CLI, spawn to first 200 on /health              ${ms(s.median.cliMs)} ${ms(s.median.cliCpuMs)}   runs: ${s.cli.wallMs.map((n) => fixed(n)).join(', ')}`,
    `  double in-process, require + startEngineDouble()       ${ms(s.median.requirePlusStartMs)} ${ms(s.median.requirePlusStartCpuMs)}`,
    `    require('dist/src/index.js')                         ${ms(s.median.requireMs)}`,
    `    startEngineDouble() until listening (start only)     ${ms(s.median.startOnlyMs)}`,
    `    then first answer on /health                         ${ms(s.median.firstAnswerMs)}`,
    `    (node's own boot before the child's first line       ${ms(s.median.nodeBootMs)})`,
    `  prism mock, spawn to first 200 on /health              ${ms(s.median.prismMs)} ${ms(s.median.prismCpuMs)}   runs: ${s.prism.wallMs.map((n) => fixed(n)).join(', ')}`,
    '',
    `Throughput (${settings.connections} connections, ${settings.seconds} s each after ${WARM_UP_SECONDS} s warm-up; GET answer ${t.getResponseBytes} bytes)`,
    `  GET of the double and of node:http: the median of ${settings.rounds} alternating rounds each`,
    `  ${pad('', 40)} ${['req/s', 'p50 ms', 'p99 ms', 'CPU µs', 'non-2xx', 'errors'].map((h) => left(h, 9)).join('')}`,
    loadRow('double GET /v1/apps/{id} (strict)', t.doubleGet),
    loadRow('double POST /v1/apps (strict)', t.doublePost),
    loadRow('prism -v silent GET /v1/apps/{id}', t.prismGet),
    loadRow('prism -v silent POST /v1/apps', t.prismPost),
    loadRow('bare node:http GET (same bytes)', t.nodeHttpGet),
    `  GET rounds, req/s: double ${t.getRounds.double.map((n) => fixed(n)).join(', ')}; node:http ${t.getRounds.nodeHttp.map((n) => fixed(n)).join(', ')}`,
    '',
    'Ratios',
    `  GET  double / prism        ${fixed(t.doubleGet.requestsPerSecond / t.prismGet.requestsPerSecond, 2)}x   (prism's CPU per request: ${fixed(t.prismGet.serverCpuMicrosPerRequest / t.doubleGet.serverCpuMicrosPerRequest, 1)}x the double's)`,
    `  POST double / prism        ${fixed(t.doublePost.requestsPerSecond / t.prismPost.requestsPerSecond, 2)}x   (prism's CPU per request: ${fixed(t.prismPost.serverCpuMicrosPerRequest / t.doublePost.serverCpuMicrosPerRequest, 1)}x the double's)`,
    `  GET  double / node:http    ${fixed((100 * t.doubleGet.requestsPerSecond) / t.nodeHttpGet.requestsPerSecond)}%   (server CPU per request: ${fixed(t.doubleGet.serverCpuMicrosPerRequest / t.nodeHttpGet.serverCpuMicrosPerRequest, 1)}x the ceiling's)`,
    `  start-up prism / CLI       ${fixed(s.median.prismMs / s.median.cliMs, 1)}x   (CPU to first 200: ${fixed(s.median.prismCpuMs / s.median.cliCpuMs, 1)}x)`,
    '',
    'Memory (RSS from /proc/<pid>/status, MiB)',
    `  idle after start (scenario default)            ${left(fixed(m.idleRssMiB, 1), 7)}`,
    `  ${pad(`${m.large.apps} apps (${m.large.source === 'scenario' ? 'scenario large' : 'made over HTTP: no large scenario'})`, 46)} ${left(fixed(m.large.rssMiB, 1), 7)}   (${m.large.source === 'scenario' ? 'ready in' : 'made in'} ${fixed(m.large.readyMs)} ms)`,
    `  ${m.media.fileMiB} MiB media file (peak from ${m.media.peakFrom})`,
    transferRow(`1 upload + ${m.media.transfer.downloads} downloads`, m.media.transfer),
    transferRow(`${m.media.overwrite.uploads} uploads replacing it`, m.media.overwrite),
    `    settled afterwards ${fixed(m.media.settledRssMiB, 1)}`,
    '',
    'Targets',
    ...checked.map(formatTarget),
  ];
  return lines.join('\n');
}

function qixRow(label: string, f: QixServerFigures): string {
  return `  ${pad(label, 40)} ${left(fixed(f.sessionsPerSecond), 12)} ${left(fixed(f.roundTripsPerSecond), 14)}`;
}

function qixReport(settings: Settings, q: QixFigures): string {
  return [
    `QIX websocket (${settings.qixSessions} sessions opened one after another: upgrade, first frame, close; EngineVersion round trips over one socket for ${settings.qixSeconds} s, one in flight)`,
    `  ${pad('', 40)} ${left('sessions/s', 12)} ${left('round trips/s', 14)}`,
    qixRow('double /app/engineData', q.double),
    qixRow('bare ws echo server (ceiling)', q.wsEcho),
    `  double / ws echo: sessions ${fixed((100 * q.double.sessionsPerSecond) / q.wsEcho.sessionsPerSecond)}%, round trips ${fixed((100 * q.double.roundTripsPerSecond) / q.wsEcho.roundTripsPerSecond)}%`,
  ].join('\n');
}

const USAGE = 'usage: npm run bench -- [--runs 5] [--seconds 6] [--connections 50] [--strict] [--qix-sessions 300] [--qix-seconds 3] [--only qix|worlds] [--before main]';

async function main(): Promise<void> {
  let options: Settings;
  try {
    options = settings();
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: over its budget of ${RUN_BUDGET_MS / 1000} s; stopping\n`);
    killChildren();
    process.exit(2);
  }, RUN_BUDGET_MS);
  watchdog.unref();
  const cpus = os.cpus();
  const machine: Machine = {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown cpu',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((n) => fixed(n, 2)).join(' '),
  };
  const qixSettings = { sessions: options.qixSessions, seconds: options.qixSeconds };
  if (options.only === 'qix') {
    process.stderr.write('bench: QIX websocket...\n');
    process.stdout.write(`${qixReport(options, await qixFigures(qixSettings, () => startDouble()))}\n`);
    return;
  }
  if (options.only === 'worlds') {
    const part = await worlds(options);
    process.stdout.write(`${part.report}\n`);
    if (options.strict && part.missed) process.exitCode = 1;
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-double-bench-'));
  try {
    process.stderr.write('bench: start-up...\n');
    const startupFigures = await startup(options.runs);
    process.stderr.write('bench: throughput...\n');
    const throughputFigures = await throughput(options, tmp);
    process.stderr.write('bench: memory...\n');
    const memoryFigures = await memory();
    process.stderr.write('bench: QIX websocket...\n');
    const qix = await qixFigures(qixSettings, () => startDouble());
    const worldsPart = await worlds(options);
    const checked = targets(startupFigures, throughputFigures, memoryFigures);
    machine.loadAverageAtEnd = os.loadavg().map((n) => fixed(n, 2)).join(' ');
    process.stdout.write(`${report(options, machine, startupFigures, throughputFigures, memoryFigures, checked)}\n\n${qixReport(options, qix)}\n\n${worldsPart.report}\n`);
    fs.writeFileSync(
      RESULTS,
      `${JSON.stringify({ date: new Date().toISOString(), machine, settings: options, startup: startupFigures, throughput: throughputFigures, memory: memoryFigures, qix, worlds: worldsPart.figures, targets: checked }, null, 2)}\n`,
    );
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`);
    if (options.strict && (checked.some((t) => !t.pass) || worldsPart.missed)) process.exitCode = 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killChildren();
  process.exit(2);
});
