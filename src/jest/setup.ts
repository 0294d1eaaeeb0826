/**
 * One double for a whole jest run: `globalSetup` starts it before any test file (or sets up the
 * sidecar ENGINE_DOUBLE_URL already names), exports its URL as `process.env.ENGINE_DOUBLE_URL`
 * for the test workers, and `globalTeardown` closes it. jest runs both in its parent process,
 * apart from the tests, so the handle lives on `globalThis` between the two, as jest documents.
 */
import { connectEngineDouble, type ConnectOptions, type EngineDoubleControl } from '../client';
import type { EngineDouble, StartOptions } from '../index';

/**
 * The environment variables the jest helpers read and write.
 *
 * @example
 * // ENGINE_DOUBLE_SCENARIO=busy npx jest  — this run's double starts in `busy`
 * const url = process.env[ENGINE_DOUBLE_ENV.url];
 */
export const ENGINE_DOUBLE_ENV = {
  /** Set by globalSetup to the double's URL; set beforehand, it names a running double (a sidecar) to use instead of starting one. */
  url: 'ENGINE_DOUBLE_URL',
  /** The double's control token; set by globalSetup when it starts the double with one. */
  controlToken: 'ENGINE_DOUBLE_CONTROL_TOKEN',
  scenario: 'ENGINE_DOUBLE_SCENARIO',
  scenariosDir: 'ENGINE_DOUBLE_SCENARIOS_DIR',
  seed: 'ENGINE_DOUBLE_SEED',
  validation: 'ENGINE_DOUBLE_VALIDATION',
  port: 'ENGINE_DOUBLE_PORT',
} as const;

/**
 * The key of the jest config's `globals` whose object holds the double's options.
 *
 * @example
 * // jest.config.js
 * module.exports = { globals: { engineDouble: { scenario: 'checkout', scenariosDir: 'test/scenarios', seed: 7 } } };
 */
export const JEST_GLOBALS_KEY = 'engineDouble';

/**
 * The options a jest config can give the global double (JSON values).
 *
 * @example
 * const options: GlobalDoubleOptions = { scenario: 'default', seed: 1, validation: 'strict' };
 */
export type GlobalDoubleOptions = Pick<
  StartOptions,
  'port' | 'host' | 'scenario' | 'scenariosDir' | 'seed' | 'validation' | 'controlToken' | 'journalSize' | 'bodyLimit' | 'journalBodyLimit' | 'journalBodiesTotal' | 'watch' | 'cors'
>;

const MAX_SEED = 2 ** 31 - 1;
const isWhole = (min: number, max: number) => (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const isString = (value: unknown) => typeof value === 'string';
const isByteSize = (value: unknown) => isString(value) || isWhole(1, Number.MAX_SAFE_INTEGER)(value);
const isPlainObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each option a config may give: what its value must be, and how to say so. */
const OPTION_RULES: Record<keyof GlobalDoubleOptions, [check: (value: unknown) => boolean, expected: string]> = {
  port: [isWhole(0, 65535), 'a whole number from 0 to 65535'],
  host: [isString, 'a string'],
  scenario: [(value) => isString(value) || isPlainObject(value), "a scenario's name or a scenario document"],
  scenariosDir: [isString, 'a string'],
  seed: [isWhole(0, MAX_SEED), `a whole number from 0 to ${MAX_SEED}`],
  validation: [(value) => value === 'strict' || value === 'warn', '"strict" or "warn"'],
  controlToken: [isString, 'a string'],
  journalSize: [isWhole(1, 1_000_000), 'a whole number from 1 to 1000000'],
  bodyLimit: [isByteSize, 'bytes, or a size such as "50mb"'],
  journalBodyLimit: [isByteSize, 'bytes, or a size such as "64kb"'],
  journalBodiesTotal: [isByteSize, 'bytes, or a size such as "16mb"'],
  watch: [(value) => typeof value === 'boolean' || (isPlainObject(value) && Object.keys(value).every((key) => key === 'debounceMs')), 'true, false or { debounceMs }'],
  cors: [(value) => typeof value === 'boolean' || (Array.isArray(value) && value.every(isString)), 'true, false or a list of origins'],
};

function isOptionName(name: string): name is keyof GlobalDoubleOptions {
  return Object.hasOwn(OPTION_RULES, name);
}

/** The jest config's object of options, as refusals name it. */
const CONFIG_OPTIONS = `the jest config's globals.${JEST_GLOBALS_KEY}`;

/** Checks options from a config or the environment (`label` names each where it came from); unknown names are refused, so typos show. */
function checkedOptions(value: unknown, label: (name: string) => string): GlobalDoubleOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${CONFIG_OPTIONS} must be an object of the double's options`);
  for (const [name, option] of Object.entries(value)) {
    if (!isOptionName(name)) throw new Error(`${label(name)} is not an option of the global double; known: ${Object.keys(OPTION_RULES).join(', ')}`);
    const [check, expected] = OPTION_RULES[name];
    if (option !== undefined && !check(option)) throw new Error(`${label(name)} must be ${expected}, not ${JSON.stringify(option)}`);
  }
  return value as GlobalDoubleOptions;
}

/** The options ENGINE_DOUBLE_* variables give (an empty variable gives none). */
function optionsFromEnv(env: NodeJS.ProcessEnv): GlobalDoubleOptions {
  const options: Record<string, unknown> = {};
  type FromEnv = keyof typeof ENGINE_DOUBLE_ENV & keyof GlobalDoubleOptions;
  const names: [FromEnv, 'string' | 'number'][] = [
    ['scenario', 'string'],
    ['scenariosDir', 'string'],
    ['seed', 'number'],
    ['validation', 'string'],
    ['port', 'number'],
    ['controlToken', 'string'],
  ];
  for (const [name, kind] of names) {
    const text = env[ENGINE_DOUBLE_ENV[name]];
    if (text) options[name] = kind === 'number' && /^\d+$/.test(text) ? Number(text) : text;
  }
  return checkedOptions(options, (name) => ENGINE_DOUBLE_ENV[name as FromEnv]);
}

/** What globalSetup leaves for globalTeardown. */
interface GlobalDoubleState {
  engine: EngineDouble;
  /** The variables globalSetup set, removed at teardown (a watch-mode rerun starts afresh). */
  exported: string[];
}

const STATE_KEY = Symbol.for('qlik-engine-double.jest.global');
type WithState = typeof globalThis & { [STATE_KEY]?: GlobalDoubleState };

/** The part of jest's project config globalSetup reads. */
interface JestProjectConfig {
  globals?: Record<string, unknown>;
}

/** The options a sidecar run applies through the control API (the token is how it calls). */
const APPLIED_TO_SIDECAR: readonly string[] = ['scenario', 'seed', 'controlToken'];
/** The config's options a running double was started with and a control call cannot change. */
const STARTUP_ONLY = Object.keys(OPTION_RULES).filter((name) => !APPLIED_TO_SIDECAR.includes(name)) as (keyof GlobalDoubleOptions)[];

/**
 * A sidecar (ENGINE_DOUBLE_URL set beforehand) was started by someone else: the run's `scenario`
 * and `seed` are applied through the control API (a scenario given as a document is registered
 * first), so the tests meet the world they asked for; options only a start can set are named once
 * on stderr as not applied, never dropped silently.
 */
async function applyToSidecar(url: string, configured: StartOptions): Promise<void> {
  const token = process.env[ENGINE_DOUBLE_ENV.controlToken] || configured.controlToken;
  const engine = await connectEngineDouble(url, token ? { token } : {});
  const { scenario, seed } = configured;
  if (scenario !== undefined || seed !== undefined) {
    let name = typeof scenario === 'string' ? scenario : scenario?.name;
    if (typeof scenario === 'object') await engine.addScenario(scenario);
    name ??= (await engine.scenarios()).current.name;
    await engine.useScenario(name, seed !== undefined ? { seed } : {});
  }
  const ignored = STARTUP_ONLY.filter((option) => configured[option] !== undefined);
  if (ignored.length > 0) {
    process.stderr.write(`qlik-engine-double: ${ENGINE_DOUBLE_ENV.url} names a running double, so ${ignored.join(', ')} cannot apply (set them where that double is started)\n`);
  }
}

/**
 * A jest `globalSetup` function that starts one double with `options`, overridden by the jest
 * config's `globals.engineDouble`, overridden by ENGINE_DOUBLE_* variables; or, when
 * ENGINE_DOUBLE_URL is already set, starts none and applies the run's scenario and seed to the
 * double there (see applyToSidecar).
 *
 * @example
 * // test/global-setup.js, named by jest.config.js's globalSetup
 * module.exports = require('qlik-engine-double/jest').createGlobalSetup({ scenario: 'checkout', scenariosDir: 'test/scenarios' });
 */
export function createGlobalSetup(options: StartOptions = {}): (globalConfig?: unknown, projectConfig?: JestProjectConfig) => Promise<void> {
  return async (_globalConfig, projectConfig) => {
    const configured = { ...options, ...checkedOptions(projectConfig?.globals?.[JEST_GLOBALS_KEY], (name) => `${CONFIG_OPTIONS}.${name}`), ...optionsFromEnv(process.env) };
    const sidecar = process.env[ENGINE_DOUBLE_ENV.url];
    if (sidecar) {
      await applyToSidecar(sidecar, configured);
      return;
    }
    // Required here, not at the top: test files that import qlik-engine-double/jest never load the server.
    const { startEngineDouble } = require('../index') as typeof import('../index');
    const engine = await startEngineDouble(configured);
    const exported: string[] = [ENGINE_DOUBLE_ENV.url];
    process.env[ENGINE_DOUBLE_ENV.url] = engine.url;
    if (configured.controlToken && !process.env[ENGINE_DOUBLE_ENV.controlToken]) {
      process.env[ENGINE_DOUBLE_ENV.controlToken] = configured.controlToken;
      exported.push(ENGINE_DOUBLE_ENV.controlToken);
    }
    (globalThis as WithState)[STATE_KEY] = { engine, exported };
  };
}

/**
 * jest's `globalSetup` with options from the config's `globals.engineDouble` and ENGINE_DOUBLE_*.
 *
 * @example
 * // jest.config.js
 * module.exports = { globalSetup: 'qlik-engine-double/jest/global-setup', globalTeardown: 'qlik-engine-double/jest/global-teardown' };
 */
export const globalSetup = createGlobalSetup();

/**
 * jest's `globalTeardown`: closes the double globalSetup started (a sidecar is left running).
 *
 * @example
 * // jest.config.js
 * module.exports = { globalTeardown: 'qlik-engine-double/jest/global-teardown' };
 */
export async function globalTeardown(): Promise<void> {
  const state = (globalThis as WithState)[STATE_KEY];
  if (!state) return;
  delete (globalThis as WithState)[STATE_KEY];
  for (const name of state.exported) delete process.env[name];
  await state.engine.close();
}

/**
 * In a test: the control methods of the double globalSetup started (or the sidecar
 * ENGINE_DOUBLE_URL names), with ENGINE_DOUBLE_CONTROL_TOKEN when set. Give each test file or
 * worker its own `namespace` when files run in parallel.
 *
 * @example
 * const engine = await connectGlobalEngineDouble({ namespace: `worker-${process.env.JEST_WORKER_ID}` });
 * await fetch(`${engine.url}/v1/apps`, { headers: engine.headers });
 * await expect(engine).toHaveNoContractViolations();
 */
export async function connectGlobalEngineDouble(options: Omit<ConnectOptions, 'token'> = {}): Promise<EngineDoubleControl> {
  const url = process.env[ENGINE_DOUBLE_ENV.url];
  if (!url) {
    throw new Error(
      `${ENGINE_DOUBLE_ENV.url} is not set: add globalSetup: 'qlik-engine-double/jest/global-setup' and globalTeardown: 'qlik-engine-double/jest/global-teardown' to the jest config, or set it to a running double's URL`,
    );
  }
  const token = process.env[ENGINE_DOUBLE_ENV.controlToken];
  return connectEngineDouble(url, { ...options, ...(token ? { token } : {}) });
}
