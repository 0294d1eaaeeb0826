/**
 * The jest helpers as users meet them: the package's `exports` resolve, a small jest project
 * (test/jest-project) runs with the built globalSetup / globalTeardown / matchers and fails where
 * it should with a message that lists the violating requests, the same project runs against a
 * sidecar, and globalSetup takes its options from the jest config and the environment.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startEngineDouble } from '../../src/index';
import { connectGlobalEngineDouble, createGlobalSetup, globalTeardown } from '../../src/jest';
import '../../src/jest/matchers';

const ROOT = path.join(__dirname, '../..');
const JEST = path.join(ROOT, 'node_modules/jest/bin/jest.js');
const PROJECT = path.join(ROOT, 'test/jest-project');
/** The variables the helpers read: cleared for every child, so the outer environment never leaks in. */
const HELPER_ENV = ['ENGINE_DOUBLE_URL', 'ENGINE_DOUBLE_CONTROL_TOKEN', 'ENGINE_DOUBLE_SCENARIO', 'ENGINE_DOUBLE_SCENARIOS_DIR', 'ENGINE_DOUBLE_SEED', 'ENGINE_DOUBLE_VALIDATION', 'ENGINE_DOUBLE_PORT'];

interface Run {
  code: number | null;
  output: string;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of HELPER_ENV) if (!(name in extra)) delete env[name];
  // The outer jest's worker id must not make the inner jest think it is a worker.
  delete env.JEST_WORKER_ID;
  return env;
}

async function run(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const child = spawn(command, args, { cwd: ROOT, env: childEnv(extraEnv) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, output };
}

/** Runs the jest project as a user's CI would: node node_modules/jest/bin/jest.js --config … */
function jestProject(args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, [JEST, '--config', path.join(PROJECT, 'jest.config.js'), '--rootDir', PROJECT, '--ci', ...args], env);
}

describe("the package's exports", () => {
  it('resolve qlik-engine-double, /client, /jest and its setup, teardown and matchers files to the built package', async () => {
    const script = `
      const names = ['qlik-engine-double', 'qlik-engine-double/client', 'qlik-engine-double/jest', 'qlik-engine-double/jest/global-setup', 'qlik-engine-double/jest/global-teardown', 'qlik-engine-double/jest/matchers'];
      console.log(JSON.stringify(names.map((name) => require.resolve(name))));
      console.log(typeof require('qlik-engine-double/jest/global-setup'), typeof require('qlik-engine-double/jest/global-teardown'), typeof require('qlik-engine-double').startEngineDouble);`;
    const { code, output } = await run(process.execPath, ['-e', script]);
    expect(code).toBe(0);
    const [resolved, kinds] = output.trim().split('\n');
    const dist = path.join(ROOT, 'dist/src');
    const files = ['index.js', 'client.js', 'jest/index.js', 'jest/global-setup.js', 'jest/global-teardown.js', 'jest/matchers.js'].map((file) => path.join(dist, file));
    expect(JSON.parse(resolved!)).toEqual(files);
    expect(kinds).toBe('function function function');
    for (const file of files) expect(existsSync(file.replace(/\.js$/, '.d.ts'))).toBe(true);
  });
});

describe('a jest project using the helpers', () => {
  it('passes its passing file with one double that globalSetup starts and globalTeardown closes', async () => {
    const { code, output } = await jestProject(['--testPathPatterns', 'apps']);
    expect(output).toContain('PASS test/jest-project/apps.test.js');
    expect(output).toMatch(/Tests: +3 passed, 3 total/);
    expect(code).toBe(0);
  });

  it('fails on the deliberate violation, listing each violating request with method, path, rule, pointer and detail', async () => {
    const { code, output } = await jestProject();
    expect(code).toBe(1);
    expect(output).toMatch(/Tests: +2 failed, 7 passed, 9 total/);
    expect(output).toContain('● DELIBERATELY FAILING: a client that broke the contract has no contract violations');
    expect(output).toContain("expected no contract violations, but the double journaled 2 requests that broke the engine's contract:");
    expect(output).toMatch(/1\. POST \/v1\/apps → 400 \(journal #\d+, namespace violations-file\)\n +request +rule=type +pointer=\/attributes\/name +body\/attributes\/name must be string/);
    expect(output).toMatch(/2\. GET \/v1\/app\/abc → 404 \(journal #\d+, namespace violations-file\)\n +request +rule=ROUTE_NOT_FOUND +pointer=- +no operation matches GET \/v1\/app\/abc; did you mean GET \/v1\/apps\/\{appId\}\?/);
  });

  it('fails toHaveReceived with the near misses and what differed; .not, verify and stubs pass', async () => {
    const { code, output } = await jestProject(['--testPathPatterns', 'received']);
    expect(code).toBe(1);
    expect(output).toMatch(/Tests: +1 failed, 2 passed, 3 total/);
    expect(output).toContain('● DELIBERATELY FAILING: the client imported once with mode AUTOREPLACE');
    expect(output).toContain('expected exactly 1 request matching {"operationId":"POST /v1/apps/import","query":{"mode":{"equals":"AUTOREPLACE"}}}, but the double journaled 0. Near misses, nearest first:');
    expect(output).toMatch(/1\. POST \/v1\/apps\/import\?mode=NEW → 200 \(journal #\d+, namespace received-file\)\n +query\.mode: expected "AUTOREPLACE", got "NEW"/);
  });

  it('uses the sidecar ENGINE_DOUBLE_URL names instead of starting a double', async () => {
    const sidecar = await startEngineDouble({ scenario: 'default', controlToken: 'sidecar-token', log: () => undefined });
    try {
      const { code, output } = await jestProject(['--testPathPatterns', 'apps'], { ENGINE_DOUBLE_URL: sidecar.url, ENGINE_DOUBLE_CONTROL_TOKEN: 'sidecar-token' });
      expect(output).toContain('PASS test/jest-project/apps.test.js');
      expect(code).toBe(0);
      const created = (await sidecar.namespace('apps-file').journal()).filter((entry) => entry.method === 'POST' && entry.path === '/v1/apps');
      expect(created.map((entry) => entry.status)).toEqual([200]);
    } finally {
      await sidecar.close();
    }
  });
});

describe('globalSetup and globalTeardown', () => {
  const saved = Object.fromEntries(HELPER_ENV.map((name) => [name, process.env[name]]));
  afterEach(async () => {
    await globalTeardown();
    for (const name of HELPER_ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it("start the double with the jest config's options, overridden by ENGINE_DOUBLE_*, export its URL, then close it", async () => {
    for (const name of HELPER_ENV) delete process.env[name];
    process.env.ENGINE_DOUBLE_SEED = '7';
    await createGlobalSetup({ log: () => undefined })(undefined, { globals: { engineDouble: { scenario: 'busy', seed: 1, controlToken: 'configured-token' } } });
    const url = process.env.ENGINE_DOUBLE_URL;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.ENGINE_DOUBLE_CONTROL_TOKEN).toBe('configured-token');
    const engine = await connectGlobalEngineDouble();
    expect((await engine.scenarios()).current).toMatchObject({ name: 'busy', seed: 7 });
    await expect(engine).toHaveNoContractViolations();
    await globalTeardown();
    expect(process.env.ENGINE_DOUBLE_URL).toBeUndefined();
    expect(process.env.ENGINE_DOUBLE_CONTROL_TOKEN).toBeUndefined();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('take the CORS, watch and journal body options from the jest config', async () => {
    for (const name of HELPER_ENV) delete process.env[name];
    await expect(createGlobalSetup()(undefined, { globals: { engineDouble: { watch: 'yes' } } })).rejects.toThrow(
      "the jest config's globals.engineDouble.watch must be true, false or { debounceMs }, not \"yes\"",
    );
    const engineDouble = { scenario: 'default', cors: ['http://page.test'], watch: { debounceMs: 20 }, journalBodyLimit: '1kb' };
    await createGlobalSetup({ log: () => undefined })(undefined, { globals: { engineDouble } });
    const url = process.env.ENGINE_DOUBLE_URL!;
    const res = await fetch(`${url}/health`, { headers: { origin: 'http://page.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://page.test');
    expect((await (await connectGlobalEngineDouble()).scenarios()).watch).toEqual({ broken: [] });
  });

  it('refuse options they cannot use, naming where each came from', async () => {
    for (const name of HELPER_ENV) delete process.env[name];
    const setup = createGlobalSetup({ log: () => undefined });
    await expect(setup(undefined, { globals: { engineDouble: { sead: 1 } } })).rejects.toThrow(
      "the jest config's globals.engineDouble.sead is not an option of the global double; known: port, host, scenario",
    );
    await expect(setup(undefined, { globals: { engineDouble: { seed: -1 } } })).rejects.toThrow("the jest config's globals.engineDouble.seed must be a whole number from 0 to 2147483647, not -1");
    process.env.ENGINE_DOUBLE_PORT = 'ninety';
    await expect(setup()).rejects.toThrow('ENGINE_DOUBLE_PORT must be a whole number from 0 to 65535, not "ninety"');
    expect(process.env.ENGINE_DOUBLE_URL).toBeUndefined();
  });

  it('tell a test without globalSetup how to add it', async () => {
    delete process.env.ENGINE_DOUBLE_URL;
    await expect(connectGlobalEngineDouble()).rejects.toThrow("ENGINE_DOUBLE_URL is not set: add globalSetup: 'qlik-engine-double/jest/global-setup'");
  });
});

describe('toHaveNoContractViolations', () => {
  it('refuses a value that is not a double, so a typo never passes', async () => {
    await expect(expect({ url: 'x' }).toHaveNoContractViolations()).rejects.toThrow(TypeError);
    await expect(expect(undefined).not.toHaveNoContractViolations()).rejects.toThrow('needs what startEngineDouble() or connectEngineDouble() returns');
  });
});
