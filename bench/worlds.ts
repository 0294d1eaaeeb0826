/**
 * The worlds part of `npm run bench` (issue 13): what a namespace over `large` costs, what a switch
 * costs, whether /health stays quick while `large` is built and while its state document (21 MB,
 * 5,000 apps) is restored with PUT /__control/state, and the memory of 64 namespaces that each
 * write a little, then after they are deleted. Measured side by side on two package trees in
 * one run: BEFORE, a ref (main by default) exported with `git archive` into .tmp and built there,
 * and AFTER, this tree. Each runs as an in-process double (bench/worlds-child.ts) in a child
 * started with --expose-gc, so heap figures are taken after a full collection.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { call, median, memoryOf, ROOT, startNode, stopChild, type Child } from './harness';

const WORLDS_CHILD = path.join(__dirname, 'worlds-child.js');
/** Namespaces made by a read only, for the cost of a new one. */
const FRESH_NAMESPACES = 16;
/** Namespaces that each make a few writes, for the memory target. */
const WRITING_NAMESPACES = 64;
const SWITCHES = 4;
/** A seed no other step uses, so the switch builds `large` for the first time. */
const FIRST_SEED = 4_242;
const NAMESPACE_HEADER = 'x-engine-double-namespace';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** GET /health in the default namespace, back to back, while other work runs. */
interface HealthProbe {
  count: number;
  p99Ms: number;
  maxMs: number;
}

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
}

export interface WorldFigures {
  /** The ref or tree measured. */
  tree: string;
  startMs: number;
  /** Median time of the first request in a new namespace (GET /health), and of one in an existing namespace. */
  newNamespaceMs: number;
  healthMs: number;
  /** Heap (after a full GC) and RSS a new namespace adds, per namespace, until it writes. */
  newNamespaceHeapMiB: number;
  newNamespaceRssMiB: number;
  /** Median switch to `large` (same seed, already built). */
  switchBuiltMs: number;
  /** Switch to `large` with a seed not yet built, and /health in the default namespace meanwhile. */
  switchFirstMs: number;
  healthDuringBuild: HealthProbe;
  /** PUT /__control/state of the state document of `large` into a new namespace, and /health in the default namespace meanwhile. */
  restoreMs: number;
  healthDuringRestore: HealthProbe;
  /** After 64 namespaces over `large` made a few writes each (before any switch). */
  writing: Memory;
  /** After every namespace but the default was deleted (the last prepared scenarios stay cached: see validate.ts). */
  released: Memory;
  /** Before any namespace but the default was made. */
  idle: Memory;
}

/** The package tree of `ref`, exported and built once into .tmp/bench-trees/<commit>. */
export function buildTree(ref: string): { tree: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tree = path.join(ROOT, '.tmp', 'bench-trees', commit);
  const built = path.join(tree, 'dist', 'src', 'index.js');
  if (fs.existsSync(built)) return { tree, commit };
  fs.rmSync(tree, { recursive: true, force: true });
  fs.mkdirSync(tree, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${tree}"`], { cwd: ROOT, stdio: 'inherit' });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: tree, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(tree, 'dist', 'src', 'build', 'precompile.js')], { cwd: tree, stdio: 'inherit' });
  return { tree, commit };
}

/**
 * The id of the first app of `large` (its default seed), read here from the tree's own loader: the
 * engine lists no apps over REST, and GET /__control/state would add its 20 MB answer to the RSS measured.
 */
function firstAppOfLarge(tree: string): string {
  const registry = require(path.join(tree, 'dist', 'src', 'scenarios', 'registry.js')) as { loadScenario(name: string): { apps: { attributes: { id: string } }[] } };
  return registry.loadScenario('large').apps[0]!.attributes.id;
}

function headers(namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  return namespace === '' ? extra : { [NAMESPACE_HEADER]: namespace, ...extra };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function ok(url: string, options: Parameters<typeof call>[1], what: string): Promise<Buffer> {
  const reply = await call(url, options);
  if (reply.status >= 300) throw new Error(`${what} answered ${reply.status}: ${reply.body.toString('utf8').slice(0, 500)}`);
  return reply.body;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;
}

async function memory(child: Child): Promise<Memory> {
  const reply = once(child.process, 'message');
  child.process.send('memory');
  const [usage] = (await reply) as [NodeJS.MemoryUsage];
  return { rssMiB: memoryOf(child.pid).rssMiB, heapUsedMiB: usage.heapUsed / 1024 / 1024 };
}

async function startChild(tree: string): Promise<{ child: Child; url: string; startMs: number }> {
  const child = startNode(['--expose-gc', WORLDS_CHILD, tree], { stdout: 'pipe', ipc: true });
  const stdout = child.process.stdout!.setEncoding('utf8');
  let text = '';
  while (!text.includes('\n')) {
    const [chunk] = (await Promise.race([once(stdout, 'data'), once(child.process, 'exit').then(() => [undefined])])) as [string | undefined];
    if (chunk === undefined) throw new Error(`the worlds child of ${tree} exited: ${child.stderrTail()}`);
    text += chunk;
  }
  const { url, startMs } = JSON.parse(text.split('\n')[0]!) as { url: string; startMs: number };
  return { child, url, startMs };
}

/** `work`'s time, and GET /health asked back to back in the default namespace until it ends. */
async function whileProbingHealth(url: string, work: () => Promise<unknown>): Promise<{ ms: number; health: HealthProbe }> {
  const during: number[] = [];
  let working = true;
  const probe = (async () => {
    while (working) during.push((await timed(() => ok(`${url}/health`, {}, 'GET /health'))).ms);
  })();
  const done = await timed(work).finally(() => (working = false));
  await probe;
  return { ms: done.ms, health: { count: during.length, p99Ms: percentile(during, 0.99), maxMs: Math.max(0, ...during) } };
}

const switchTo = (url: string, namespace: string, body: object) =>
  ok(`${url}/__control/scenario`, { method: 'PUT', headers: headers(namespace, JSON_HEADERS), body: JSON.stringify(body) }, `switch of ${namespace} to ${JSON.stringify(body)}`);

/** Every figure of one tree; `label` names it in the report. */
export async function measureWorlds(tree: string, label: string, log: (line: string) => void): Promise<WorldFigures> {
  const { child, url, startMs } = await startChild(tree);
  try {
    const idle = await memory(child);
    log(`worlds ${label}: new namespaces...`);
    const health = [];
    for (let i = 0; i < FRESH_NAMESPACES; i += 1) health.push((await timed(() => ok(`${url}/health`, {}, 'GET /health'))).ms);
    const fresh = [];
    for (let i = 0; i < FRESH_NAMESPACES; i += 1) fresh.push((await timed(() => ok(`${url}/health`, { headers: headers(`fresh-${i}`) }, 'GET /health in a new namespace'))).ms);
    const afterFresh = await memory(child);

    log(`worlds ${label}: ${WRITING_NAMESPACES} namespaces that write...`);
    const baseApp = firstAppOfLarge(tree);
    for (let i = 0; i < WRITING_NAMESPACES; i += 1) {
      const namespace = `writer-${i}`;
      const created = JSON.parse(
        (await ok(`${url}/v1/apps`, { method: 'POST', headers: headers(namespace, JSON_HEADERS), body: JSON.stringify({ attributes: { name: `mine ${i}` } }) }, 'POST /v1/apps')).toString('utf8'),
      ) as { attributes: { id: string } };
      await ok(`${url}/v1/apps/${baseApp}`, { method: 'PUT', headers: headers(namespace, JSON_HEADERS), body: JSON.stringify({ attributes: { name: `changed ${i}` } }) }, 'PUT /v1/apps/{appId}');
      await ok(`${url}/v1/apps/${created.attributes.id}/media/files/notes.txt`, { method: 'PUT', headers: headers(namespace, { 'content-type': 'application/octet-stream' }), body: `note ${i}` }, 'PUT media');
    }
    const writing = await memory(child);

    log(`worlds ${label}: switches...`);
    const switches = [];
    for (let i = 0; i < SWITCHES; i += 1) {
      await switchTo(url, 'switching', { name: 'default' });
      switches.push((await timed(() => switchTo(url, 'switching', { name: 'large' }))).ms);
    }

    log(`worlds ${label}: first switch to large with seed ${FIRST_SEED}, /health meanwhile...`);
    const first = await whileProbingHealth(url, () => switchTo(url, 'first', { name: 'large', seed: FIRST_SEED }));
    // Read now, restored once the memory figures are taken (the restored document stays cached: see validate.ts).
    const state = await ok(`${url}/__control/state`, { headers: headers('first') }, 'GET /__control/state');

    log(`worlds ${label}: deleting the namespaces...`);
    const made = [...Array.from({ length: FRESH_NAMESPACES }, (_, i) => `fresh-${i}`), ...Array.from({ length: WRITING_NAMESPACES }, (_, i) => `writer-${i}`), 'switching', 'first'];
    for (const namespace of made) await ok(`${url}/__control/namespace`, { method: 'DELETE', headers: headers(namespace) }, 'DELETE /__control/namespace');
    const released = await memory(child);

    log(`worlds ${label}: PUT /__control/state of large (${(state.length / 1024 / 1024).toFixed(1)} MiB), /health meanwhile...`);
    const restore = await whileProbingHealth(url, () => ok(`${url}/__control/state`, { method: 'PUT', headers: headers('restored', JSON_HEADERS), body: state }, 'PUT /__control/state'));
    await ok(`${url}/__control/namespace`, { method: 'DELETE', headers: headers('restored') }, 'DELETE /__control/namespace');

    return {
      tree: label,
      startMs,
      newNamespaceMs: median(fresh),
      healthMs: median(health),
      newNamespaceHeapMiB: (afterFresh.heapUsedMiB - idle.heapUsedMiB) / FRESH_NAMESPACES,
      newNamespaceRssMiB: (afterFresh.rssMiB - idle.rssMiB) / FRESH_NAMESPACES,
      switchBuiltMs: median(switches),
      switchFirstMs: first.ms,
      healthDuringBuild: first.health,
      restoreMs: restore.ms,
      healthDuringRestore: restore.health,
      writing,
      released,
      idle,
    };
  } finally {
    await stopChild(child);
  }
}

export interface WorldTarget {
  name: string;
  target: string;
  before: string;
  after: string;
  pass: boolean;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mib = (n: number) => `${n.toFixed(1)} MiB`;

export function worldTargets(before: WorldFigures, after: WorldFigures): WorldTarget[] {
  return [
    { name: 'new namespace over large: first request', target: '<= 5 ms', before: ms(before.newNamespaceMs), after: ms(after.newNamespaceMs), pass: after.newNamespaceMs <= 5 },
    { name: 'new namespace over large: heap until it writes', target: '<= 1 MB', before: mib(before.newNamespaceHeapMiB), after: mib(after.newNamespaceHeapMiB), pass: after.newNamespaceHeapMiB * 1.048576 <= 1 },
    { name: 'switch to large, already built (same seed)', target: '<= 20 ms', before: ms(before.switchBuiltMs), after: ms(after.switchBuiltMs), pass: after.switchBuiltMs <= 20 },
    { name: 'switch to large the first time (new seed)', target: 'what it takes', before: ms(before.switchFirstMs), after: ms(after.switchFirstMs), pass: true },
    { name: '/health p99 meanwhile (default namespace)', target: '<= 20 ms', before: ms(before.healthDuringBuild.p99Ms), after: ms(after.healthDuringBuild.p99Ms), pass: after.healthDuringBuild.p99Ms <= 20 },
    { name: 'PUT /__control/state of large (21 MB) into a new namespace', target: 'what it takes', before: ms(before.restoreMs), after: ms(after.restoreMs), pass: true },
    { name: '/health p99 during that restore', target: 'report only', before: ms(before.healthDuringRestore.p99Ms), after: ms(after.healthDuringRestore.p99Ms), pass: true },
    { name: `${WRITING_NAMESPACES} namespaces over large, a few writes each: RSS`, target: '<= 200 MB', before: mib(before.writing.rssMiB), after: mib(after.writing.rssMiB), pass: after.writing.rssMiB * 1.048576 <= 200 },
  ];
}

export function worldsReport(before: WorldFigures, after: WorldFigures, targets: WorldTarget[]): string {
  const rows: [string, string, string, string][] = [
    ['', 'target', `BEFORE (${before.tree})`, `AFTER (${after.tree})`],
    ...targets.map((t): [string, string, string, string] => [`${t.pass ? 'ok  ' : 'MISS'} ${t.name}`, t.target, t.before, t.after]),
    ['     start on large (startEngineDouble)', '', ms(before.startMs), ms(after.startMs)],
    ['     GET /health, existing namespace (median)', '', ms(before.healthMs), ms(after.healthMs)],
    ['     new namespace: RSS added each', '', mib(before.newNamespaceRssMiB), mib(after.newNamespaceRssMiB)],
    ['     /health requests during the first build (max)', '', `${before.healthDuringBuild.count} (${ms(before.healthDuringBuild.maxMs)})`, `${after.healthDuringBuild.count} (${ms(after.healthDuringBuild.maxMs)})`],
    ['     /health requests during the restore (max)', '', `${before.healthDuringRestore.count} (${ms(before.healthDuringRestore.maxMs)})`, `${after.healthDuringRestore.count} (${ms(after.healthDuringRestore.maxMs)})`],
    ['     heap: default namespace only', '', mib(before.idle.heapUsedMiB), mib(after.idle.heapUsedMiB)],
    [`     heap: with the ${WRITING_NAMESPACES} writers`, '', mib(before.writing.heapUsedMiB), mib(after.writing.heapUsedMiB)],
    ['     heap / RSS after DELETE of every namespace', '', `${mib(before.released.heapUsedMiB)} / ${mib(before.released.rssMiB)}`, `${mib(after.released.heapUsedMiB)} / ${mib(after.released.rssMiB)}`],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
  return ['Worlds (issue 13): BEFORE and AFTER in one run', ...rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())].join('\n');
}
