/**
 * The package as a consumer meets it: `npm pack` (the files package.json ships), the tarball
 * installed into a throw-away project (from the npm cache where it can: --prefer-offline) with
 * TypeScript, jest and @types/jest at the versions this repository uses. Then a consumer file that
 * touches every public entry point type-checks with `tsc --init`'s settings and skipLibCheck off,
 * a consumer jest run uses the global double and the matcher, and the installed bin answers
 * `--version`, serves, checks itself, and refuses spec-examples mode and --tls-self-signed, naming
 * the optional package each needs, since a consumer who did not ask for them does not have them.
 *
 * Nothing here names the package's dependencies: whatever package.json declares is what installs.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'consumer');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
/** The consumer's own tools, at this repository's versions (already in the npm cache after `npm ci`). */
const CONSUMER_TOOLS = ['typescript', 'jest', '@types/jest', '@types/node'].map((name) => `${name}@${PACKAGE.devDependencies[name]}`);
/** Bounds every step, so a hung install or server fails the test instead of stalling CI. */
const STEP_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

/** The environment of a consumer's shell: none of this run's npm_* settings or the double's variables, no jest worker id. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|ENGINE_DOUBLE_|JEST_WORKER_ID$|INIT_CWD$|SCENARIO|PORT$|HOST$|CONTROL_TOKEN$)/i.test(name)) env[name] = value;
  }
  return env;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in the consumer project to its end; a non-zero exit is returned, not thrown. */
async function inConsumer(dir: string, command: string, args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: dir, env: consumerEnv(), timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: `${failed.stderr ?? ''}${String(error)}` };
  }
}

/** Asserts a step passed, showing its output when it did not. */
function passed(step: string, ran: Ran): void {
  if (ran.code !== 0) throw new Error(`${step} exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
}

let consumer: string;

beforeAll(async () => {
  consumer = mkdtempSync(path.join(os.tmpdir(), 'qlik-engine-double-consumer-'));
  // --ignore-scripts: `npm test` has built dist/ already; prepack would build it again.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', consumer], { cwd: ROOT, env: consumerEnv(), timeout: STEP_TIMEOUT_MS });
  const tarball = path.join(consumer, packed.stdout.trim().split('\n').pop()!);
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
  passed('npm install', await inConsumer(consumer, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', ...CONSUMER_TOOLS]));
  passed('npm install of the tarball', await inConsumer(consumer, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball]));
  for (const file of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
}, 2 * STEP_TIMEOUT_MS);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

describe('the packed package installed in a consumer project', () => {
  it('installs without the optional peer dependencies (Prism, selfsigned) the consumer did not ask for', () => {
    const installed = readdirSync(path.join(consumer, 'node_modules'));
    expect(installed).toContain(PACKAGE.name);
    // @types/node is one of the consumer's own tools (CONSUMER_TOOLS), as in any TypeScript project on Node.
    const notAskedFor = Object.keys(PACKAGE.peerDependencies).filter((name) => !CONSUMER_TOOLS.some((tool) => tool.startsWith(`${name}@`)));
    expect(notAskedFor.length).toBeGreaterThan(1);
    for (const optional of notAskedFor) expect(existsSync(path.join(consumer, 'node_modules', optional))).toBe(false);
  });

  it("ships LICENSE, CHANGELOG, every doc the README links, and the source every source map names", () => {
    const installed = path.join(consumer, 'node_modules', PACKAGE.name);
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md']) expect(existsSync(path.join(installed, file))).toBe(true);
    const readme = readFileSync(path.join(installed, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\(((?:docs\/)?[\w./-]+\.md)(?:#[\w-]*)?\)/g)].map((match) => match[1]!);
    expect(linked.length).toBeGreaterThan(3);
    for (const doc of linked) expect(`${doc}: ${existsSync(path.join(installed, doc))}`).toBe(`${doc}: true`);
    const maps = readdirSync(path.join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(installed, 'dist', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const resolved = path.resolve(path.dirname(path.join(installed, 'dist', map)), source);
        expect(`${map} → ${source}: ${existsSync(resolved)}`).toBe(`${map} → ${source}: true`);
      }
    }
  });

  it("type-checks a file using every public entry point with tsc --init's settings and skipLibCheck off", async () => {
    passed('tsc --init', await inConsumer(consumer, process.execPath, ['node_modules/typescript/bin/tsc', '--init']));
    const config = path.join(consumer, 'tsconfig.json');
    // What tsc --init wrote, but checking every declaration file, and with jest's globals (TypeScript 6 loads no @types by default).
    const written = readFileSync(config, 'utf8');
    const edited = written.replace(/"skipLibCheck": true/, '"skipLibCheck": false').replace(/"types": \[\]/, '"types": ["jest"]');
    expect(edited).not.toBe(written);
    writeFileSync(config, edited);
    const checked = await inConsumer(consumer, process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);
    expect(checked.stdout).toBe('');
    expect(checked.code).toBe(0);
  }, STEP_TIMEOUT_MS);

  it("runs a consumer's jest project with the global double, the config's scenario and the matcher", async () => {
    const tested = await inConsumer(consumer, process.execPath, ['node_modules/jest/bin/jest.js', '--ci']);
    passed('jest', tested);
    expect(tested.stderr).toMatch(/Tests: +3 passed, 3 total/);
  }, STEP_TIMEOUT_MS);

  it('runs the installed bin: --version, serve, check against it, and a clear refusal of spec-examples without Prism', async () => {
    const version = await inConsumer(consumer, 'npx', ['--no', '--', 'qlik-engine-double', '--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${PACKAGE.version}\n` });

    // The bin npx runs, started directly: npx does not pass SIGTERM on, and the server must stop with the test.
    const serving = spawn(path.join(consumer, 'node_modules/.bin/qlik-engine-double'), ['serve', '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1'], { cwd: consumer, env: consumerEnv() });
    const exited = once(serving, 'exit');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        serving.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const found = /^listening on (http:\/\/\S+)$/m.exec(out)?.[1];
          if (found) resolve(found);
        });
        void exited.then(() => reject(new Error(`serve exited before listening: ${out}`)));
      });
      const checked = await inConsumer(consumer, 'npx', ['--no', '--', 'qlik-engine-double', 'check', url, '--mutating', '--junit', 'reports/check.xml']);
      passed('check', checked);
      // The dashboard's script is a build artefact the package ships (dist/precompiled), not compiled at run time.
      expect(existsSync(path.join(consumer, 'node_modules', PACKAGE.name, 'dist/precompiled/dashboard.js'))).toBe(true);
      const dashboard = await fetch(`${url}/__ui`);
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<script');
      expect(readFileSync(path.join(consumer, 'reports/check.xml'), 'utf8')).toContain('failures="0"');
      // A switch makes generated apps in a worker thread, from a compiled file the package ships.
      const headers = { 'content-type': 'application/json', 'x-engine-double-namespace': 'generated' };
      const registered = await fetch(`${url}/__control/scenarios`, { method: 'POST', headers, body: JSON.stringify({ name: 'generated', generate: { apps: { count: 3 } } }) });
      expect(registered.status).toBe(201);
      const switched = await fetch(`${url}/__control/scenario`, { method: 'PUT', headers, body: JSON.stringify({ name: 'generated', seed: 5 }) });
      expect({ status: switched.status, body: await switched.json() }).toMatchObject({ status: 200, body: { name: 'generated', seed: 5 } });
    } finally {
      serving.kill('SIGTERM');
      await exited;
    }

    const refused = await inConsumer(consumer, 'npx', ['--no', '--', 'qlik-engine-double', 'serve', '--port', '0', '--metrics-port', 'off', '--scenario', 'spec-examples']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('needs the optional package @stoplight/prism-http: install it next to qlik-engine-double (npm install --save-dev @stoplight/prism-http@');
    const noCertificate = await inConsumer(consumer, 'npx', ['--no', '--', 'qlik-engine-double', 'serve', '--port', '0', '--metrics-port', 'off', '--tls-self-signed']);
    expect(noCertificate.code).toBe(1);
    expect(noCertificate.stderr).toContain('--tls-self-signed (selfSigned: true) needs the optional package selfsigned: install it next to qlik-engine-double (npm install --save-dev selfsigned@');
  }, STEP_TIMEOUT_MS);
});
