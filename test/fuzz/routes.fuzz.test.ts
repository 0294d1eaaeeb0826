/**
 * The fuzz suite of issue 12: fast-check sends hostile requests to every engine and control
 * route of a real double over real sockets (malformed and deep JSON, huge arrays and strings, odd
 * Unicode, prototype keys, wrong types, methods and Content-Types) and asserts that the double
 * answers every one without a 5xx, every error in the error shape, the process alive and no
 * prototype polluted, and that a refused request leaves its namespace's world as it was.
 *
 * Each run addresses a fresh namespace, so no fault rule a run installs can hit another run.
 * Bounded for CI: the number of runs and the size of every payload are fixed below.
 */
import fc from 'fast-check';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { loadContract } from '../../src/spec/contract';
import { loadScenario } from '../../src/scenarios/registry';
import { NAMESPACE_HEADER } from '../../src/server';
import { errorsOf } from '../support/double';

const RUNS = 250;
const SEED = Number(process.env.FUZZ_SEED ?? 20260112);

const OPERATIONS = loadContract().operations;
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];
const APP_IDS = ['2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91', '7b9e4d2a-1c3f-4a8b-b6d5-0e2f9c8a7d14'];

let engine: EngineDouble;
let run = 0;

beforeAll(async () => {
  engine = await startEngineDouble({ scenario: loadScenario('default'), log: () => undefined, maxNamespaces: RUNS + 10, bodyLimit: '2mb' });
});

afterAll(() => engine.close());

/** Path segments a hostile client tries: real ids, traversal, encodings, odd Unicode, prototype names. */
const segment = fc.oneof(
  fc.constantFrom(...APP_IDS, '..', '%2e%2e', '.', '%00', '__proto__', 'constructor', 'prototype', '%F0%9F%92%A9', '%ZZ', 'a%2Fb', 'images/logo.png', ''),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ maxLength: 300 }).map(encodeURIComponent),
);

/** `{"a":[{"a":…}]}` of a given depth, arrays and objects alternating, alone or where documents hold free-form values. */
const deepJson = fc
  .tuple(fc.constantFrom(40, 100, 5000, 9000), fc.constantFrom('%s', '{"attributes":{"name":"deep","custom":%s}}', '{"name":"deep","apps":[{"attributes":{"custom":%s}}]}'))
  .map(([depth, where]) => where.replace('%s', `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`));

/** JSON text with prototype keys where the double's documents have objects. */
const prototypeJson = fc.constantFrom(
  '{"__proto__":{"polluted":true},"attributes":{"__proto__":{"polluted":true},"name":"p"}}',
  '{"constructor":{"prototype":{"polluted":true}},"name":"p","apps":[{"attributes":{"__proto__":{"polluted":true}}}]}',
  '{"rules":[{"path":"/**","__proto__":{"status":500}}]}',
  '{"name":"__proto__","apps":[]}',
);

/** Bodies: valid-looking JSON of the right and wrong shapes, broken JSON, deep JSON, huge arrays and strings, bytes. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.record({ attributes: fc.record({ name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), custom: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }) }).map((v) => JSON.stringify(v)),
  fc.record({ name: fc.string({ maxLength: 120 }), apps: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), condition: fc.string() }, { requiredKeys: ['name'] }).map((v) => JSON.stringify(v)),
  fc.record({ rules: fc.array(fc.record({ path: fc.string(), status: fc.integer({ min: -1, max: 1000 }), latencyMs: fc.integer({ min: -5, max: 50 }), method: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[1,2', 'nul', '"\\ud800"', '{"a":1}garbage', '\uFEFF{}', '{"a":"\u0000"}', '1e999999'),
  deepJson,
  prototypeJson,
  fc.integer({ min: 1000, max: 40_000 }).map((n) => JSON.stringify({ name: 'x', rules: new Array(n).fill(1), apps: new Array(n).fill(1) })),
  fc.integer({ min: 10_000, max: 400_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n), attributes: { name: 'y'.repeat(n) } })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.x+json', undefined);

const request = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  wrongMethod: fc.option(fc.constantFrom(...METHODS), { freq: 5 }),
  segments: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query: fc.option(fc.dictionary(fc.constantFrom('mode', 'name', 'show', 'limit', 'appId', '__proto__', 'access_token'), fc.string({ maxLength: 40 }), { maxKeys: 3 })),
  body: fc.option(body, { freq: 4 }),
  contentType,
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function urlOf({ operation, segments, query }: FuzzRequest): string {
  let index = 0;
  const path = operation.path.replace(/\{[^}]+\}/g, () => segments[index++ % segments.length]!);
  const search = query ? new URLSearchParams(query as Record<string, string>).toString() : '';
  return `${path}${search ? `?${search}` : ''}`;
}

/** What a namespace holds: its world, scenario, fault rules, stubs and inline scenarios. */
function namespaceState(namespace: string): string {
  const { model, scenario, faults, stubs, inlineScenarios } = engine.runtime.namespaces.get(namespace);
  return JSON.stringify([model.toScenario(), scenario.name, faults.list(), stubs.list(), [...inlineScenarios.keys()]]);
}

interface Sent {
  method: string;
  url: string;
  contentType?: string;
  body?: string | Buffer;
}

/**
 * Sends one request to a fresh namespace and checks the invariants: no 5xx, an error body in the
 * error shape, a refusal changes nothing, what a success stored can be read back, no prototype polluted.
 */
async function sendAndCheck({ method, url, contentType: type, body: payload }: Sent): Promise<void> {
  run += 1;
  const namespace = `fuzz-${run}`;
  const before = namespaceState(namespace);
  const headers: Record<string, string> = { [NAMESPACE_HEADER]: namespace, ...(type ? { 'content-type': type } : {}) };
  const withBody = payload !== undefined && method !== 'GET' && method !== 'HEAD';
  const res = await fetch(`${engine.url}${url}`, { method, headers, ...(withBody ? { body: payload } : {}) });
  // An event stream (GET /__control/events) never ends by itself: its head is the answer.
  const streaming = res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (streaming) await res.body?.cancel();
  const bytes = streaming ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
  if (res.status >= 500) throw new Error(`${method} ${url} answered ${res.status}: ${bytes.subarray(0, 500).toString()}`);
  if (res.status >= 400) {
    errorsOf(JSON.parse(bytes.toString('utf8')));
    expect(namespaceState(namespace)).toBe(before);
  } else {
    const state = await fetch(`${engine.url}/__control/state`, { headers: { [NAMESPACE_HEADER]: namespace } });
    if (state.status !== 200) throw new Error(`after ${method} ${url} (${res.status}), GET /__control/state answered ${state.status}: ${(await state.text()).slice(0, 300)}`);
    await state.arrayBuffer();
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  engine.runtime.namespaces.drop(namespace);
}

/** The attacks of issue 12 that need a particular size or shape, sent to every route (the random runs would seldom find them). */
const SWEEP: { name: string; contentType: string; body: string }[] = [
  ...['%s', '{"attributes":{"name":"deep","custom":%s}}', '{"name":"deep","apps":[{"attributes":{"custom":%s}}]}'].map((where) => ({
    name: `9,000 levels deep in ${where}`,
    contentType: 'application/json',
    body: where.replace('%s', `${'{"a":['.repeat(9000)}1${']}'.repeat(9000)}`),
  })),
  { name: '40,000 wrong items', contentType: 'application/json', body: JSON.stringify({ name: 'x', rules: new Array(40_000).fill(1), apps: new Array(40_000).fill(1), attributes: new Array(40_000).fill(1) }) },
  { name: '400,000-character strings', contentType: 'application/json', body: JSON.stringify({ name: 'n'.repeat(400_000), attributes: { name: 'n'.repeat(400_000), createdDate: 'd'.repeat(400_000) } }) },
  { name: 'prototype keys', contentType: 'application/json', body: '{"__proto__":{"polluted":true},"name":"p","attributes":{"__proto__":{"polluted":true}},"rules":[{"path":"/**","__proto__":{"status":500}}]}' },
  { name: 'broken JSON', contentType: 'application/json', body: '{"attributes":' },
];

const IMPORT_SWEEP = SWEEP.map((attack) => ({ ...attack, contentType: 'application/octet-stream' }));

describe('hostile requests to every route', () => {
  it.each(OPERATIONS.map((operation) => [operation.id, operation] as const))('%s: every sweep attack is answered without a 5xx and refused without a change', async (_id, operation) => {
    const url = operation.path.replace(/\{appId\}/g, APP_IDS[0]!).replace(/\{[^}]+\}/g, 'images');
    const attacks = operation.consumes.some((type) => type !== 'application/json') ? [...SWEEP, ...IMPORT_SWEEP] : SWEEP;
    for (const attack of attacks) await sendAndCheck({ method: operation.method.toUpperCase(), url, contentType: attack.contentType, body: attack.body });
  });

  it(`${RUNS} fuzzed requests: no 5xx, every error in the error shape, refusals change nothing, the process stays up`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (fuzz) => {
        const method = fuzz.wrongMethod ?? fuzz.operation.method.toUpperCase();
        await sendAndCheck({ method, url: urlOf(fuzz), ...(fuzz.contentType ? { contentType: fuzz.contentType } : {}), ...(fuzz.body !== null ? { body: fuzz.body } : {}) });
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });
});
