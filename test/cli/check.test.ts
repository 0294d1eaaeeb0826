import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { doubleError } from '../../src/errors';
import { loadScenario } from '../../src/scenarios/registry';
import { mintToken } from '../../src/auth/mint';
import { runCli, tableRow } from '../support/cli';
import { localServer, type SeenRequest } from '../support/local-server';

const SECURED_SECRET = 'qlik-engine-double-secured-test-secret';

/** Runs the built CLI as a user would: `node dist/src/cli.js check ...`. */
const check = (args: string[]) => runCli(['check', ...args]);

interface Testcase {
  name: string;
  failure?: string;
  skipped: boolean;
}

function unescapeXml(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&(lt|gt|quot|apos|amp);/g, (_m, n: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[n]!);
}

/** A minimal JUnit reader: the suite's counters and each testcase's name, failure message and skip. */
function readJUnit(file: string) {
  const xml = readFileSync(file, 'utf8');
  const suite = /<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)"/.exec(xml);
  if (!suite) throw new Error(`no testsuite in ${xml}`);
  const testcases: Testcase[] = [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map(([, name, inner]) => {
    const failure = /<failure message="([^"]*)"/.exec(inner ?? '')?.[1];
    return { name: unescapeXml(name!), ...(failure !== undefined ? { failure: unescapeXml(failure) } : {}), skipped: /<skipped\b/.test(inner ?? '') };
  });
  return { name: suite[1], tests: Number(suite[2]), failures: Number(suite[3]), skipped: Number(suite[4]), testcases };
}

/** Breaks the contract on purpose: a number where a string belongs, an object for an array, 500 for the rest. */
function brokenEngine(req: SeenRequest, res: ServerResponse): void {
  const json = (body: unknown) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  if (req.url === '/healthcheck') return json({ version: 12 });
  if (req.url === '/sessions') return json({});
  res.statusCode = 500;
  res.setHeader('content-type', 'text/plain');
  res.end('engine exploded');
}

let workdir: string;
beforeAll(() => {
  workdir = mkdtempSync(path.join(os.tmpdir(), 'check-test-'));
});
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('qlik-engine-double check against a double', () => {
  let engine: EngineDouble;
  const logged: string[] = [];
  beforeAll(async () => {
    engine = await startEngineDouble({ port: 0, scenario: loadScenario('default'), log: (line) => logged.push(line) });
  });
  afterAll(() => engine.close());

  it('passes every call with --mutating, writes a JUnit report without failures, and leaves no app behind', async () => {
    const appsBefore = engine.runtime.model().listApps().map((app) => app.attributes.id);
    const junit = path.join(workdir, 'double.xml');
    const run = await check([engine.url, '--mutating', '--junit', junit]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const name of ['GET /health', 'POST /v1/apps', 'GET /v1/apps/{appId}/media/files/{path}', 'POST /v1/apps/import', 'DELETE /v1/apps/{appId} (the app)']) {
      expect(tableRow(run.stdout, name)[2]).toBe('ok');
    }
    // The documented 404: a new app has no thumbnail.
    expect(tableRow(run.stdout, 'GET /v1/apps/{appId}/media/thumbnail').slice(1, 3)).toEqual(['404', 'ok']);
    expect(run.stdout).toMatch(/passed: 20 calls against .* 20 ok, 0 failed, 0 skipped/);

    const report = readJUnit(junit);
    expect(report).toMatchObject({ name: 'qlik-engine-double check', tests: 20, failures: 0, skipped: 0 });
    expect(report.testcases).toHaveLength(20);
    expect(report.testcases.filter((t) => t.failure !== undefined || t.skipped)).toEqual([]);

    expect(engine.runtime.model().listApps().map((app) => app.attributes.id)).toEqual(appsBefore);
    expect(engine.runtime.journal.violations()).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('without --mutating calls only the safe operations and reports the app flows as skipped, exit 0', async () => {
    const junit = path.join(workdir, 'reports/safe/safe.xml'); // a folder that does not exist yet
    const before = engine.runtime.journal.list().length;
    const run = await check([engine.url, '--junit', junit]);
    expect(run.code).toBe(0);
    expect(tableRow(run.stdout, 'GET /sessions').slice(1, 3)).toEqual(['200', 'ok']);
    expect(tableRow(run.stdout, 'PUT /v1/apps/{appId}')).toEqual(['PUT /v1/apps/{appId}', '-', 'skipped', '-', 'needs --mutating (it creates, changes and removes an app)']);
    expect(engine.runtime.journal.list().slice(before).map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /health',
      'GET /healthcheck',
      'GET /sessions',
      'GET /v1/apps/privileges',
    ]);
    expect(readJUnit(junit)).toMatchObject({ tests: 20, failures: 0, skipped: 16 });
  });
});

describe('qlik-engine-double check against a broken server', () => {
  it('exits 1, names each failing operation and rule in the table, and lists the problems in the JUnit failures', async () => {
    const server = await localServer(brokenEngine);
    try {
      const junit = path.join(workdir, 'broken.xml');
      const run = await check([server.url, '--junit', junit]);
      expect(run.code).toBe(1);
      expect(tableRow(run.stdout, 'GET /healthcheck').slice(1, 3)).toEqual(['200', 'FAIL']);
      expect(tableRow(run.stdout, 'GET /healthcheck')[4]).toMatch(/^type: GET \/healthcheck 200 body\/version must be string/);
      expect(tableRow(run.stdout, 'GET /sessions')[4]).toMatch(/^type: GET \/sessions 200 body must be array/);
      expect(tableRow(run.stdout, 'GET /health').slice(1, 3)).toEqual(['500', 'FAIL']);
      expect(tableRow(run.stdout, 'GET /health')[4]).toMatch(/^error-status: GET \/health answered 500, an error the engine's contract does not document .*: engine exploded/);
      expect(tableRow(run.stdout, 'GET /v1/apps/privileges')[2]).toBe('FAIL');
      expect(run.stdout).toMatch(/FAILED: 20 calls .* 0 ok, 4 failed, 16 skipped/);

      const report = readJUnit(junit);
      expect(report).toMatchObject({ tests: 20, failures: 4, skipped: 16 });
      const failures = Object.fromEntries(report.testcases.filter((t) => t.failure !== undefined).map((t) => [t.name, t.failure]));
      expect(Object.keys(failures)).toEqual(['GET /health', 'GET /healthcheck', 'GET /sessions', 'GET /v1/apps/privileges']);
      expect(failures['GET /healthcheck']).toBe('type: GET /healthcheck 200 body/version must be string');
      expect(failures['GET /sessions']).toBe('type: GET /sessions 200 body must be array');
      expect(server.seen.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET']);
    } finally {
      await server.close();
    }
  });

  it('with --mutating stops after a failed create, skips what needs the app, and sends no change', async () => {
    const server = await localServer(brokenEngine);
    try {
      const run = await check([server.url, '--mutating']);
      expect(run.code).toBe(1);
      expect(tableRow(run.stdout, 'POST /v1/apps').slice(1, 3)).toEqual(['500', 'FAIL']);
      expect(tableRow(run.stdout, 'DELETE /v1/apps/{appId} (the app)').slice(2)).toEqual(['skipped', '-', 'no app to work on: POST /v1/apps gave none']);
      expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /health', 'GET /healthcheck', 'GET /sessions', 'GET /v1/apps/privileges', 'POST /v1/apps']);
    } finally {
      await server.close();
    }
  });

  it('fails a call that gets no answer within --timeout, and one whose server is gone', async () => {
    const server = await localServer((req, res) => {
      if (req.url === '/health') return; // never answers
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/healthcheck' ? '{}' : '[]');
    });
    try {
      const run = await check([server.url, '--timeout', '1000']);
      expect(run.code).toBe(1);
      expect(tableRow(run.stdout, 'GET /health')).toEqual(['GET /health', '-', 'FAIL', expect.stringMatching(/^\d+$/), 'timeout: no complete answer within 1000 ms']);
      expect(tableRow(run.stdout, 'GET /sessions')[2]).toBe('ok');
    } finally {
      await server.close();
    }
    const gone = await check([server.url]);
    expect(gone.code).toBe(1);
    expect(tableRow(gone.stdout, 'GET /health')[4]).toMatch(/^network: fetch failed: .*ECONNREFUSED/);
  });
});

describe('qlik-engine-double check flows on a double that misbehaves', () => {
  it('reports a failed update and a media file that comes back changed, and still deletes the app it made', async () => {
    const engine = await startEngineDouble({
      port: 0,
      log: () => undefined,
      routes: {
        'PUT /v1/apps/{appId}': () => {
          throw doubleError('internal', { detail: 'update broke' });
        },
        'GET /v1/apps/{appId}/media/files/{path}': () => ({ status: 200, body: Buffer.from('other bytes'), headers: { 'content-type': 'application/octet-stream' } }),
      },
    });
    try {
      const junit = path.join(workdir, 'misbehaving.xml');
      const run = await check([engine.url, '--mutating', '--junit', junit]);
      expect(run.code).toBe(1);
      expect(tableRow(run.stdout, 'PUT /v1/apps/{appId}').slice(1, 3)).toEqual(['500', 'FAIL']);
      // The table cuts long problems; the JUnit message has the whole of it, the error body's excerpt included.
      const update = readJUnit(junit).testcases.find((t) => t.name === 'PUT /v1/apps/{appId}');
      expect(update?.failure).toMatch(/^error-status: PUT \/v1\/apps\/\{appId\} answered 500, .*"detail":"update broke"/);
      expect(tableRow(run.stdout, 'GET /v1/apps/{appId}/media/files/{path}')[4]).toBe('flow: the file came back as 11 bytes that differ from the 32 uploaded');
      expect(tableRow(run.stdout, 'DELETE /v1/apps/{appId} (the app)')[2]).toBe('ok');
      expect(run.stdout).toMatch(/FAILED: 20 calls .* 18 ok, 2 failed, 0 skipped/);
      expect(engine.runtime.model().listApps()).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});

describe('qlik-engine-double check against a secured double', () => {
  let engine: EngineDouble;
  beforeAll(async () => {
    engine = await startEngineDouble({ port: 0, scenario: loadScenario('secured'), log: () => undefined });
  });
  afterAll(() => engine.close());

  it('passes with --mutating when --header carries a bearer token the engine accepts', async () => {
    const token = await mintToken({ sub: 'admin' }, { secret: SECURED_SECRET });
    const run = await check([engine.url, '--mutating', '--header', `Authorization: Bearer ${token}`]);
    expect(run.stdout).toMatch(/passed: 20 calls .* 20 ok, 0 failed, 0 skipped/);
    expect(run.code).toBe(0);
  });

  it('fails the calls the engine refuses without a token: 401 is no answer the contract documents', async () => {
    const run = await check([engine.url]);
    expect(run.code).toBe(1);
    expect(tableRow(run.stdout, 'GET /healthcheck')[2]).toBe('ok');
    expect(tableRow(run.stdout, 'GET /sessions').slice(1, 3)).toEqual(['401', 'FAIL']);
    expect(tableRow(run.stdout, 'GET /sessions')[4]).toMatch(/^error-status: GET \/sessions answered 401/);
  });
});

describe('qlik-engine-double check flags', () => {
  it.each([
    [['ftp://localhost:9076'], /argument 'base-url'.*expected an http:\/\/ or https:\/\/ URL/],
    [['http://127.0.0.1:9', '--header', 'no colon here'], /--header <header>.*expected 'Name: value'/],
    [['http://127.0.0.1:9', '--timeout', '0'], /--timeout <ms>.*expected milliseconds from 1 to 600000/],
  ])('refuses %j with exit 1 and says which argument', async (args, message) => {
    const run = await check(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
