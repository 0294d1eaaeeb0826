/**
 * `qlik-engine-double coverage <base-url>` run as a CI job runs it: the built CLI against a
 * running double, its table, its threshold and exit codes, and its JUnit report parsed back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngineDouble, type EngineDouble } from '../../src/index';
import { runCli, tableRow } from '../support/cli';

const SALES_OVERVIEW = '2f1c5a0e-8b4d-4c1e-9a57-3d6f0b7e2c91';

const coverage = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['coverage', ...args], { ...process.env, CONTROL_TOKEN: '', ...env });

function unescapeXml(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
}

/** A minimal JUnit reader: the suite's counters, and each testcase's name, failure message and output. */
function readJUnit(file: string) {
  const xml = readFileSync(file, 'utf8');
  const suite = /<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="0"/.exec(xml);
  if (!suite) throw new Error(`no testsuite in ${xml}`);
  const testcases = [...xml.matchAll(/<testcase classname="[^"]*" name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map(([, name, inner]) => ({
    name: unescapeXml(name!),
    failure: /<failure message="([^"]*)"/.exec(inner!)?.[1],
    output: unescapeXml(/<system-out>([\s\S]*?)<\/system-out>/.exec(inner!)?.[1] ?? ''),
  }));
  return { name: suite[1], tests: Number(suite[2]), failures: Number(suite[3]), testcases };
}

let workdir: string;
let engine: EngineDouble;
beforeAll(async () => {
  workdir = mkdtempSync(path.join(os.tmpdir(), 'coverage-test-'));
  engine = await startEngineDouble({ scenario: 'default', log: () => undefined });
  // Three of the 18 operations: one twice, one with an undocumented status.
  await fetch(`${engine.url}/health`);
  await fetch(`${engine.url}/health`);
  await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}`);
  await fetch(`${engine.url}/v1/apps/missing`);
  await fetch(`${engine.url}/v1/apps/${SALES_OVERVIEW}/media/list/nowhere`);
});
afterAll(async () => {
  await engine.close();
  rmSync(workdir, { recursive: true, force: true });
});

describe('qlik-engine-double coverage', () => {
  it('prints operations × statuses with counts and passes a minimum it reaches', async () => {
    const { code, stdout, stderr } = await coverage([engine.url, '--min', '15']);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toMatch(/^operation +requests +200 +404$/);
    expect(tableRow(stdout, 'GET /health')).toEqual(['GET /health', '2', '2', '.']);
    expect(tableRow(stdout, 'GET /v1/apps/{appId}')).toEqual(['GET /v1/apps/{appId}', '2', '1', '1*']);
    expect(tableRow(stdout, 'GET /v1/apps/{appId}/media/list/{path}')).toEqual(['GET /v1/apps/{appId}/media/list/{path}', '1', '0', '1']);
    expect(tableRow(stdout, 'POST /v1/apps')).toEqual(['POST /v1/apps', '0', '0', '.']);
    expect(stdout).toContain('never exercised (15):\n  GET /healthcheck\n  GET /sessions\n');
    expect(stdout).toContain('operations exercised: 3 of 18 (16.7%)');
    expect(stdout).toContain('passed: 16.7% of operations exercised, minimum 15%');
    expect(code).toBe(0);
  });

  it('fails under the minimum with the operations never exercised, and writes one JUnit testcase per operation', async () => {
    const junit = path.join(workdir, 'reports/ci/coverage.xml'); // a folder that does not exist yet
    const { code, stdout } = await coverage([engine.url, '--min', '80', '--junit', junit]);
    expect(stdout).toContain('FAILED: 16.7% of operations exercised, under the minimum 80%');
    expect(stdout).toMatch(/never exercised \(15\):\n(  .+\n){15}/);
    expect(code).toBe(1);
    const report = readJUnit(junit);
    expect(report).toMatchObject({ name: 'qlik-engine-double coverage', tests: 18, failures: 15 });
    expect(report.testcases).toHaveLength(18);
    expect(report.testcases.find((t) => t.name === 'GET /health')).toEqual({ name: 'GET /health', failure: undefined, output: '2 requests; 200: 2' });
    expect(report.testcases.find((t) => t.name === 'GET /v1/apps/{appId}')!.output).toBe('2 requests; 200: 1 (undocumented 404: 1)');
    expect(report.testcases.find((t) => t.name === 'PUT /v1/apps/{appId}/publish')!.failure).toBe('PUT /v1/apps/{appId}/publish was never exercised');
  });

  it('reports without failing when no minimum is given', async () => {
    const { code, stdout } = await coverage([engine.url]);
    expect(stdout).not.toMatch(/passed:|FAILED:/);
    expect(code).toBe(0);
  });

  it("sends the control token from --token or CONTROL_TOKEN, and without it fails with the double's 401", async () => {
    const guarded = await startEngineDouble({ controlToken: 'coverage-token', log: () => undefined });
    try {
      const refused = await coverage([guarded.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'qlik-engine-double: the double runs with a control token: send Authorization: Bearer <token> with every /__control call; give it with --token T (or CONTROL_TOKEN)\n',
      );
      const wrong = await coverage([guarded.url, '--token', 'nope']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('give it with --token T (or CONTROL_TOKEN): the one given was refused');
      expect((await coverage([guarded.url, '--token', 'coverage-token'])).code).toBe(0);
      expect((await coverage([guarded.url], { CONTROL_TOKEN: 'coverage-token' })).code).toBe(0);
    } finally {
      await guarded.close();
    }
  });

  it('refuses a bad minimum and an address where no double answers, with exit 1', async () => {
    const badMin = await coverage([engine.url, '--min', '120']);
    expect(badMin.code).toBe(1);
    expect(badMin.stderr).toContain("option '--min <percent>' argument '120' is invalid. expected a percentage from 0 to 100");
    const gone = await startEngineDouble({ log: () => undefined });
    await gone.close();
    const unreachable = await coverage([gone.url]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(`qlik-engine-double: cannot connect to an engine double at ${gone.url}: ECONNREFUSED\n`);
  });
});
